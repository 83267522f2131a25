// Maintenance windows: the list (times, time zone, repeats, scope, autonomy override,
// active now, next start, forced), create/edit/delete and activate/deactivate for keys with
// automations:write, and the week calendar (maintenance_calendar.js). Reading needs `history`.
import { api, can } from './api.js';
import { h, whenIso, announce, errorText, confirmButton } from './dom.js';
import { windowForm } from './maintenance_form.js';
import { maintenanceCalendar } from './maintenance_calendar.js';

// "2026-03-22T03:00:00" (local in the window's zone) as "2026-03-22 03:00".
const local = (t) => t.replace('T', ' ').replace(/:00$/, '').replace(/Z$/, '');

function forcedText(w) {
  if (w.forced === 'on') return 'on (until deactivated)';
  if (w.forced === 'off') return w.forced_until ? `off until ${whenIso(w.forced_until)}` : 'off for good';
  return 'no';
}

export async function maintenancePage(main) {
  const writable = can('automations:write');
  const feedback = h('div', { id: 'mw-feedback' });
  const formSlot = h('div');
  const body = h('tbody');
  const calendar = maintenanceCalendar();
  let automations = [];
  let windows = [];

  const say = (text) => { feedback.replaceChildren(h('p', { role: 'status' }, text)); announce(text); };
  const fail = (err) => feedback.replaceChildren(errorText(err.message));
  const nameOf = (id) => automations.find((a) => a.id === id)?.name;

  const refresh = async () => {
    [windows, automations] = await Promise.all([api('GET', '/api/maintenance'), api('GET', '/api/automations')]);
    body.replaceChildren(...windows.map(row));
    if (windows.length === 0) body.append(h('tr', {}, h('td', { colspan: 10 }, 'No maintenance windows.')));
    await calendar.load();
  };
  // After a change: reload, and keep focus on the changed row's first button.
  const changed = async (text, id) => {
    say(text);
    await refresh();
    (body.querySelector(`tr[data-id="${id}"] button`) ?? body).focus?.();
  };

  function openForm(win) {
    formSlot.replaceChildren(windowForm({
      win,
      automations,
      onSaved: async (saved) => { formSlot.replaceChildren(); await changed(`Saved ${saved.name}.`, saved.id); },
      onCancel: () => { formSlot.replaceChildren(); newButton.focus(); },
    }));
    formSlot.querySelector('input').focus();
  }

  const act = (w, verb) => async () => {
    try {
      const after = await api('POST', `/api/maintenance/${w.id}/${verb}`);
      await changed(`${w.name} ${verb}d: ${after.active ? 'active now' : 'not active'}.`, w.id);
    } catch (err) { fail(err); }
  };

  function actions(w) {
    return h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${w.name}`, onclick: () => openForm(w) }, 'Edit'),
      w.active
        ? h('button', { type: 'button', 'aria-label': `Deactivate ${w.name}`, onclick: act(w, 'deactivate') }, 'Deactivate')
        : h('button', { type: 'button', 'aria-label': `Activate ${w.name}`, onclick: act(w, 'activate') }, 'Activate now'),
      confirmButton({
        label: 'Delete', ariaLabel: `Delete ${w.name}`, question: `Delete ${w.name}?`, yes: `Yes, delete ${w.name}`,
        action: async () => {
          try {
            await api('DELETE', `/api/maintenance/${w.id}`);
            say(`Deleted ${w.name}.`);
            await refresh();
            newButton?.focus();
          } catch (err) { fail(err); }
        },
      }));
  }

  function row(w) {
    const cell = h('td', { 'data-label': 'Actions', class: 'actions' });
    if (writable) cell.append(actions(w));
    return h('tr', { 'data-id': w.id },
      h('th', { scope: 'row', 'data-label': 'Name' }, w.name),
      h('td', { 'data-label': 'Times' }, `${local(w.start)} – ${local(w.end)}`, h('br'), h('span', { class: 'muted' }, w.timezone)),
      h('td', { 'data-label': 'Repeats' }, w.recurring ? h('code', { class: 'cron' }, w.recurring) : 'once'),
      h('td', { 'data-label': 'Scope' }, h('ul', { class: 'plain' }, w.scope.map((s) => h('li', {},
        nameOf(s) ? h('a', { href: `#/automations/${s}` }, nameOf(s)) : h('code', {}, s))))),
      h('td', { 'data-label': 'Override' }, h('span', { class: `badge badge-mw-${w.autonomy_override}` }, w.autonomy_override)),
      h('td', { 'data-label': 'Active now', class: 'active-now' }, h('span', { class: 'badge badge-' + (w.active ? 'mw-active' : 'mw-idle') }, w.active ? 'active' : 'not active')),
      h('td', { 'data-label': 'Next start' }, w.next_start ? whenIso(w.next_start) : 'none'),
      h('td', { 'data-label': 'Forced', class: 'forced' }, forcedText(w)),
      writable ? cell : null);
  }

  const newButton = writable ? h('button', { type: 'button', onclick: () => openForm(null) }, 'New window') : null;
  await refresh();
  const heads = ['Name', 'Times', 'Repeats', 'Scope', 'Override', 'Active now', 'Next start', 'Forced', ...(writable ? ['Actions'] : [])];
  // One wrapper: this page's styles are scoped to it (style.css, "approvals, maintenance, keys, audit").
  main.replaceChildren(h('div', { class: 'pg-maintenance' },
    h('h1', {}, 'Maintenance windows'),
    h('p', { class: 'help' }, 'While a window is active, the automations in its scope run under its override: ',
      h('strong', {}, 'disabled'), ' skips them, ', h('strong', {}, 'approval'), ' holds them for approval, ',
      h('strong', {}, 'full'), ' lets them run without approval.'),
    newButton ? h('p', {}, newButton) : null,
    formSlot,
    feedback,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack mw-table' },
      h('caption', { class: 'visually-hidden' }, 'Maintenance windows'),
      h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))),
      body)),
    calendar.el));
  return undefined;
}
