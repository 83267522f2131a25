// The automations list (name, type, last status, next fire, enabled; run now and
// enable/disable where the key allows; "New automation") and one automation's run history,
// 50 runs a page, with "Edit" for keys that may change it.
import { api, can, canRun, canReadRuns, me } from './api.js';
import { h, when, badge, duration, announce, errorText } from './dom.js';

// The fields PUT /api/automations/{id} takes back: GET adds read-only ones (id, created,
// last_status, next_fire, webhook…) that the create/replace schema refuses.
export const INPUT_FIELDS = ['name', 'type', 'params', 'icon', 'description', 'target', 'enabled', 'timeout', 'tags',
                      'schedule', 'timezone', 'catch_up', 'concurrency', 'on_daemon_loss'];
const APPROVAL_FIELDS = ['required', 'approvers', 'min_approvals', 'expires_in'];

async function setEnabled(id, enabled) {
  const a = await api('GET', `/api/automations/${id}`);
  const body = {};
  for (const f of INPUT_FIELDS) if (a[f] !== null && a[f] !== undefined) body[f] = a[f];
  if (a.approval) body.approval = Object.fromEntries(APPROVAL_FIELDS.filter((f) => f in a.approval).map((f) => [f, a.approval[f]]));
  body.enabled = enabled;
  await api('PUT', `/api/automations/${id}`, body);  // absent `webhook`: the webhook stays as it is
}

async function runNow(id) {
  const launch = await api('POST', `/api/automations/${id}/run`);
  if (canReadRuns()) location.hash = `#/runs/${launch.run_id}`;
  else announce(`Run ${launch.run_id} started: ${launch.status}`);
  return launch;
}

function errorLine(el, err) {
  el.replaceChildren(errorText(err.message));
}

function row(a, refresh, feedback) {
  const enabledCell = can('automations:write')
    ? h('button', { type: 'button', class: 'secondary', 'aria-label': `${a.enabled ? 'Disable' : 'Enable'} ${a.name}`,
                    'data-action': 'toggle',
                    onclick: async () => {
                      try {
                        await setEnabled(a.id, !a.enabled);
                        announce(`${a.name} ${a.enabled ? 'disabled' : 'enabled'}`);
                        await refresh(a.id);
                      } catch (err) { errorLine(feedback, err); }
                    } }, a.enabled ? 'Disable' : 'Enable')
    : null;
  const runButton = canRun(a.id)
    ? h('button', { type: 'button', 'aria-label': `Run ${a.name} now`, 'data-action': 'run', disabled: !a.enabled,
                    title: a.enabled ? null : 'Disabled automations do not run',
                    onclick: async () => { try { await runNow(a.id); } catch (err) { errorLine(feedback, err); } } }, 'Run now')
    : null;
  return h('tr', { 'data-id': a.id },
    h('th', { scope: 'row', 'data-label': 'Name' }, h('a', { href: `#/automations/${a.id}` }, a.name)),
    h('td', { 'data-label': 'Type' }, a.type),
    h('td', { 'data-label': 'Last status' }, badge(a.last_status)),
    h('td', { 'data-label': 'Next fire' }, a.next_fire ? when(a.next_fire) : (a.schedule ? '—' : 'not scheduled')),
    h('td', { 'data-label': 'Enabled', class: 'enabled' }, h('span', { class: 'state' }, a.enabled ? 'Yes' : 'No'), ' ', enabledCell),
    h('td', { 'data-label': 'Actions' }, runButton));
}

export async function automationsPage(main) {
  const feedback = h('div');
  const body = h('tbody');
  const refresh = async (focusId) => {
    // A single-task key reads only its own automation; the list needs `history`.
    const list = can('history') ? await api('GET', '/api/automations')
      : me().automation_id ? [await api('GET', `/api/automations/${me().automation_id}`)] : [];
    body.replaceChildren(...list.map((a) => row(a, refresh, feedback)));
    if (list.length === 0) body.append(h('tr', {}, h('td', { colspan: 6 }, can('automations:write')
      ? 'No automations yet. Create one with “New automation” above, or from a template.'
      : 'No automations yet.')));
    if (focusId) body.querySelector(`tr[data-id="${focusId}"] [data-action="toggle"]`)?.focus();
  };
  await refresh();
  main.replaceChildren(
    h('div', { class: 'page-head' }, h('h1', {}, 'Automations'),
      can('automations:write') ? h('p', { class: 'actions' },
        h('a', { href: '#/automations/new', class: 'button-link' }, 'New automation'),
        h('a', { href: '#/templates', class: 'button-link secondary' }, 'From a template')) : null),
    feedback,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'stack' },
        h('caption', { class: 'visually-hidden' }, 'Automations with their last status and next fire'),
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'Last status', 'Next fire', 'Enabled', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        body)));
}

const PAGE = 50;

// One page of runs. One more than a page is asked for, to know whether older runs exist
// without a count query.
function runRows(runs) {
  return runs.map((r) => h('tr', {},
    h('th', { scope: 'row', 'data-label': 'Run' },
      canReadRuns() ? h('a', { href: `#/runs/${r.run_id}` }, r.run_id) : r.run_id),
    h('td', { 'data-label': 'Status' }, badge(r.status)),
    h('td', { 'data-label': 'Trigger' }, r.trigger),
    h('td', { 'data-label': 'Started' }, when(r.started ?? r.created)),
    h('td', { 'data-label': 'Duration' }, r.duration_ms === null || r.duration_ms === undefined ? '—' : duration(r.duration_ms / 1000))));
}

export async function historyPage(main, id) {
  const fetchPage = (offset) => api('GET', `/api/automations/${id}/runs?limit=${PAGE + 1}&offset=${offset}`);
  const [a, first] = await Promise.all([api('GET', `/api/automations/${id}`), fetchPage(0)]);
  const feedback = h('div');
  const runsBox = h('section', { 'aria-labelledby': 'runs-title' });
  let offset = 0;

  // Shows the page at `offset`; "Older runs" / "Newer runs" move by 50, and focus goes to the
  // heading that says which runs are shown.
  const show = (page, moved) => {
    const runs = page.runs.slice(0, PAGE);
    const older = page.runs.length > PAGE;
    const title = h('h2', { id: 'runs-title', tabindex: '-1' },
      runs.length === 0 ? 'Runs' : offset === 0 && !older ? `Runs (${runs.length})` : `Runs ${offset + 1}–${offset + runs.length}, newest first`);
    const go = (delta) => async () => {
      try {
        const next = await fetchPage(offset + delta);
        offset += delta;
        show(next, true);
      } catch (err) { errorLine(feedback, err); }
    };
    const nav = offset > 0 || older ? h('nav', { class: 'pager', 'aria-label': 'Run pages' },
      offset > 0 ? h('button', { type: 'button', class: 'secondary', onclick: go(-PAGE) }, 'Newer runs') : null,
      older ? h('button', { type: 'button', class: 'secondary', onclick: go(PAGE) }, 'Older runs') : null) : null;
    runsBox.replaceChildren(...[title,
      runs.length === 0 ? h('p', {}, offset === 0 ? 'No runs yet.' : 'No older runs.')
        : h('div', { class: 'table-wrap' }, h('table', { class: 'stack' },
            h('caption', { class: 'visually-hidden' }, `Runs of ${a.name}, newest first`),
            h('thead', {}, h('tr', {}, ['Run', 'Status', 'Trigger', 'Started', 'Duration'].map((t) => h('th', { scope: 'col' }, t)))),
            h('tbody', {}, runRows(runs)))),
      nav].filter(Boolean));
    if (moved) title.focus();
  };
  show(first, false);

  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Automations'), ' / ', a.name),
    h('h1', {}, `Runs of ${a.name}`),
    h('p', {}, `${a.type} · `, a.enabled ? 'enabled' : 'disabled', a.schedule ? ` · schedule ${a.schedule} (${a.timezone})` : ''),
    h('p', { class: 'actions' },
      canRun(a.id) ? h('button', { type: 'button', disabled: !a.enabled,
        onclick: async () => { try { await runNow(a.id); } catch (err) { errorLine(feedback, err); } } }, 'Run now') : null,
      can('automations:write') ? h('a', { href: `#/automations/${a.id}/edit`, class: 'button-link secondary', 'aria-label': `Edit ${a.name}` }, 'Edit') : null),
    feedback,
    runsBox);
}
