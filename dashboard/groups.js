// Device groups: list, create and delete them, add and remove members (`devices:write`), and
// run a tool on every online member at once (`run`), with one result per device.
import { api, can } from './api.js';
import { h, badge, duration, announce, errorText, confirmButton } from './dom.js';
import { deviceState } from './device_actions.js';
import { toolCallForm } from './tool_call.js';


// The tools a group run can use: those any member announced, with the daemon's schema for
// the form when this key may read the plugins (the daemon and its agents share one plugin set).
function groupTools(members, devices, schemas) {
  const names = new Set();
  for (const id of members) for (const t of devices.get(id)?.capabilities || []) names.add(t);
  return [...names].sort().map((name) => ({ name, args_schema: schemas.get(name) }));
}

function resultsView(answer) {
  const s = answer.summary;
  return h('div', { class: 'group-results' },
    h('p', { class: 'summary' }, `${answer.tool}: ${s.completed} completed, ${s.failed} failed, ${s.offline} offline, ${s.skipped} skipped (of ${s.total}).`),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack' },
      h('caption', { class: 'visually-hidden' }, `Results of ${answer.tool}, one per member`),
      h('thead', {}, h('tr', {}, ['Device', 'Status', 'Exit code', 'Duration', 'Output'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, answer.results.map((r) => h('tr', { 'data-device': r.device_id },
        h('th', { scope: 'row', 'data-label': 'Device' }, r.name || r.device_id),
        h('td', { 'data-label': 'Status' }, badge(r.status), r.reason ? ` (${r.reason.replaceAll('_', ' ')})` : ''),
        h('td', { 'data-label': 'Exit code' }, r.exit_code ?? '—'),
        h('td', { 'data-label': 'Duration' }, typeof r.duration_ms === 'number' ? duration(r.duration_ms / 1000) : '—'),
        h('td', { 'data-label': 'Output' },
          r.error ? h('p', { class: 'execution-error' }, `Error: ${r.error}`) : null,
          r.output !== undefined ? h('pre', { class: 'output' }, r.output || '(no output)') : '—')))))));
}

export async function groupsPage(main) {
  const [groupList, deviceList, plugins] = await Promise.all([
    api('GET', '/api/device-groups'),
    api('GET', '/api/devices?limit=1000'),
    can('history') ? api('GET', '/api/plugins').catch(() => ({ plugins: [] })) : { plugins: [] },
  ]);
  let groups = groupList.groups;
  const devices = new Map(deviceList.devices.map((d) => [d.id, d]));
  const schemas = new Map(plugins.plugins.filter((p) => p.kind === 'tool' && p.status === 'loaded').map((p) => [p.name, p.args_schema]));
  const feedback = h('div', { class: 'feedback' });
  const list = h('div', { class: 'group-list' });
  const fail = (err) => feedback.replaceChildren(errorText(err.message));

  // One group as a card; `replace` redraws it after a change, focusing `focusId` in it.
  function card(g) {
    const el = h('section', { class: 'card group', 'data-id': g.id, 'aria-labelledby': `${g.id}-title` });
    const replace = async (focusId, message) => {
      const fresh = await api('GET', `/api/device-groups/${g.id}`);
      fresh.members = fresh.members.map((m) => m.device_id);
      groups = groups.map((x) => (x.id === g.id ? fresh : x));
      const next = card(fresh);
      el.replaceWith(next);
      if (message) announce(message);
      (next.querySelector(`#${focusId}`) || next.querySelector('h2')).focus();
    };
    const members = g.members.map((id) => devices.get(id) || { id, name: id, status: 'deleted', online: false });
    const outsiders = deviceList.devices.filter((d) => !g.members.includes(d.id));

    const memberItems = members.map((d) => h('li', { 'data-device': d.id },
      h('a', { href: `#/devices/${d.id}` }, d.name), ' ', deviceState(d), ' ',
      can('devices:write') ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${d.name} from ${g.name}`,
        onclick: async () => {
          try {
            await api('DELETE', `/api/device-groups/${g.id}/members/${d.id}`);
            await replace(`${g.id}-add`, `${d.name} removed from ${g.name}`);
          } catch (err) { fail(err); }
        } }, 'Remove') : null));

    let addForm = null;
    if (can('devices:write')) {
      const select = h('select', { id: `${g.id}-add`, disabled: outsiders.length === 0 },
        outsiders.length ? outsiders.map((d) => h('option', { value: d.id }, `${d.name} (${d.status})`))
          : h('option', { value: '' }, 'every device is a member'));
      addForm = h('form', { class: 'inline-form' },
        h('label', { for: select.id }, `Add a device to ${g.name}`), ' ', select, ' ',
        h('button', { type: 'submit', disabled: outsiders.length === 0 }, 'Add'));
      addForm.addEventListener('submit', async (e) => {
        e.preventDefault();
        try {
          await api('POST', `/api/device-groups/${g.id}/members/${select.value}`);
          await replace(`${g.id}-add`, `${devices.get(select.value)?.name} added to ${g.name}`);
        } catch (err) { fail(err); }
      });
    }

    let execute = null;
    if (can('run')) {
      const results = h('div', { class: 'results', 'aria-live': 'polite' });
      const tools = groupTools(g.members, devices, schemas);
      execute = h('details', { class: 'group-execute' },
        h('summary', {}, `Run a tool on every online member of ${g.name}`),
        tools.length === 0 ? h('p', {}, 'No member has announced a tool yet.') : toolCallForm({
          id: `${g.id}-run`, tools, label: `Run a tool on ${g.name}`, submitLabel: 'Run on the group',
          onSubmit: async (call) => {
            results.replaceChildren(h('p', {}, `Running ${call.tool} on ${g.name}…`));
            try {
              const answer = await api('POST', `/api/device-groups/${g.id}/execute`, call);
              results.replaceChildren(resultsView(answer));
              announce(`${call.tool} on ${g.name}: ${answer.summary.completed} of ${answer.summary.total} completed`);
            } catch (err) {
              results.replaceChildren();
              throw err;
            }
          },
        }),
        results);
    }

    el.append(...[   // (append() would write a null as the text "null")
      h('h2', { id: `${g.id}-title`, tabindex: '-1' }, g.name),
      g.description ? h('p', {}, g.description) : null,
      h('p', { class: 'help' }, `${g.members.length} member${g.members.length === 1 ? '' : 's'}`),
      memberItems.length ? h('ul', { class: 'members', 'aria-label': `Members of ${g.name}` }, memberItems) : null,
      addForm,
      execute,
      can('devices:write') ? h('p', {}, confirmButton({
        label: 'Delete group', ariaLabel: `Delete the group ${g.name}`, actionId: 'delete-group',
        question: `Delete the group ${g.name}? Its devices stay.`, yes: 'Delete',
        action: async () => {
          try {
            await api('DELETE', `/api/device-groups/${g.id}`);
            groups = groups.filter((x) => x.id !== g.id);
            drawList();
            announce(`Group ${g.name} deleted`);
            main.querySelector('h1').focus();
          } catch (err) { fail(err); }
        } })) : null].filter(Boolean));
    return el;
  }

  function drawList() {
    list.replaceChildren(...(groups.length ? groups.map(card) : [h('p', {}, 'No groups yet.')]));
  }

  let createForm = null;
  if (can('devices:write')) {
    const name = h('input', { id: 'group-name', required: true, maxlength: 100, autocomplete: 'off' });
    const description = h('input', { id: 'group-description', maxlength: 1000, autocomplete: 'off' });
    const error = h('div', { class: 'form-error' });
    createForm = h('form', { class: 'card create-group', 'aria-labelledby': 'create-group-title' },
      h('h2', { id: 'create-group-title' }, 'New group'),
      h('div', { class: 'field' }, h('label', { for: name.id }, 'Name'), name),
      h('div', { class: 'field' }, h('label', { for: description.id }, 'Description (optional)'), description),
      h('p', {}, h('button', { type: 'submit' }, 'Create group')),
      error);
    createForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.replaceChildren();
      try {
        const g = await api('POST', '/api/device-groups', { name: name.value, description: description.value });
        groups = [...groups, g].sort((a, b) => a.name.localeCompare(b.name));
        drawList();
        name.value = '';
        description.value = '';
        announce(`Group ${g.name} created`);
        list.querySelector(`[data-id="${g.id}"] h2`).focus();
      } catch (err) {
        error.replaceChildren(errorText(err.message));   // the input stays for a fix
      }
    });
  }

  drawList();
  main.replaceChildren(...[h('h1', { tabindex: '-1' }, 'Device groups'), createForm, feedback, list].filter(Boolean));
}
