// The create/edit form of a maintenance window (POST /api/maintenance, PUT …/{id}). Fields
// as in docs/maintenance.md: start and end are local date-times read in `timezone`; scope is
// automations (checkboxes) plus other entries (tag:NAME, device_…, group_…). A 400 shows the
// API's message next to the form, marks the field it names and keeps what was typed.
import { api } from './api.js';
import { h, errorText } from './dom.js';

const OVERRIDES = [
  ['disabled', 'disabled — nothing in scope starts; runs are stored skipped'],
  ['approval', 'approval — every run in scope waits for approval'],
  ['full', 'full — runs go ahead even when they normally need approval'],
];

const pad = (n) => String(n).padStart(2, '0');
const localInput = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

function zones() {
  let list = [];
  try { list = Intl.supportedValuesOf('timeZone'); } catch { /* older browsers: type it */ }
  return list.includes('UTC') ? list : ['UTC', ...list];
}

// A labelled field; `help` is tied to the input with aria-describedby.
function field(id, label, input, help) {
  if (help) input.setAttribute('aria-describedby', `${id}-help`);
  return h('div', { class: 'field' },
    h('label', { for: id }, label), input,
    help ? h('p', { id: `${id}-help`, class: 'help' }, help) : null);
}

// win: the window to edit, or null for a new one. automations: [{id, name}].
export function windowForm({ win, automations, onSaved, onCancel }) {
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const start = new Date(Math.ceil(Date.now() / 3600e3) * 3600e3);  // the next full hour
  const inputs = {
    name: h('input', { id: 'mw-name', name: 'name', required: true, maxlength: 200, value: win?.name ?? '' }),
    start: h('input', { id: 'mw-start', name: 'start', type: 'datetime-local', step: 1, required: true,
                        value: win ? win.start.replace(/Z$/, '') : localInput(start) }),
    end: h('input', { id: 'mw-end', name: 'end', type: 'datetime-local', step: 1, required: true,
                      value: win ? win.end.replace(/Z$/, '') : localInput(new Date(start.getTime() + 3600e3)) }),
    timezone: h('input', { id: 'mw-timezone', name: 'timezone', list: 'mw-zones', required: true, autocomplete: 'off',
                           spellcheck: 'false', value: win?.timezone ?? browserZone }),
    recurring: h('input', { id: 'mw-recurring', name: 'recurring', autocomplete: 'off', spellcheck: 'false',
                            placeholder: '0 3 * * 0', value: win?.recurring ?? '' }),
    autonomy_override: h('select', { id: 'mw-override', name: 'autonomy_override' },
      OVERRIDES.map(([v, text]) => h('option', { value: v, selected: (win?.autonomy_override ?? 'disabled') === v }, text))),
    scope: h('input', { id: 'mw-scope-other', name: 'scope', autocomplete: 'off', spellcheck: 'false',
                        placeholder: 'tag:nas, group_…' }),
  };
  const known = new Set(automations.map((a) => a.id));
  const scope = new Set(win?.scope ?? []);
  inputs.scope.value = [...scope].filter((s) => !known.has(s)).join(', ');
  const boxes = automations.map((a) => h('input', { type: 'checkbox', id: `mw-auto-${a.id}`, value: a.id, checked: scope.has(a.id) }));
  const error = h('div', { id: 'mw-error' });

  const scopeSet = h('fieldset', { class: 'field scope' },
    h('legend', {}, 'Scope: what the window covers'),
    boxes.length ? h('ul', { class: 'checks' }, automations.map((a, i) => h('li', {},
      boxes[i], ' ', h('label', { for: boxes[i].id }, a.name), ' ', h('code', { class: 'muted' }, a.id))))
      : h('p', { class: 'help' }, 'No automations yet.'),
    field('mw-scope-other', 'Other entries (comma-separated)', inputs.scope,
      'tag:NAME covers automations with that tag; device_… and group_… a device or group target.'));

  const form = h('form', { class: 'card mw-form', 'aria-labelledby': 'mw-form-title', novalidate: true },
    h('h2', { id: 'mw-form-title' }, win ? `Edit ${win.name}` : 'New maintenance window'),
    field('mw-name', 'Name', inputs.name),
    h('div', { class: 'field-row' },
      field('mw-start', 'Start', inputs.start),
      field('mw-end', 'End', inputs.end)),
    field('mw-timezone', 'Time zone', inputs.timezone, 'An IANA name such as Europe/Berlin; start, end and the schedule are read in it.'),
    h('datalist', { id: 'mw-zones' }, zones().map((z) => h('option', { value: z }))),
    field('mw-recurring', 'Repeats (cron, optional)', inputs.recurring,
      'Five cron fields for each start, e.g. 0 3 * * 0 for Sundays 03:00. Empty: once. Every occurrence lasts end − start.'),
    scopeSet,
    field('mw-override', 'Autonomy override', inputs.autonomy_override),
    error,
    h('div', { class: 'buttons' },
      h('button', { type: 'submit' }, win ? 'Save window' : 'Create window'),
      h('button', { type: 'button', class: 'secondary', onclick: onCancel }, 'Cancel')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    for (const input of Object.values(inputs)) input.removeAttribute('aria-invalid');
    const body = {
      name: inputs.name.value.trim(),
      start: inputs.start.value,
      end: inputs.end.value,
      timezone: inputs.timezone.value.trim() || 'UTC',
      recurring: inputs.recurring.value.trim() || null,
      scope: [...boxes.filter((b) => b.checked).map((b) => b.value),
              ...inputs.scope.value.split(',').map((s) => s.trim()).filter(Boolean)],
      autonomy_override: inputs.autonomy_override.value,
    };
    try {
      const saved = await api(win ? 'PUT' : 'POST', win ? `/api/maintenance/${win.id}` : '/api/maintenance', body);
      onSaved(saved);
    } catch (err) {
      error.replaceChildren(errorText(err.message));
      // The API's messages start with the field they are about ("scope[1]: …", "timezone: …").
      const named = /^(\w+)(\[\d+\])?:/.exec(err.message)?.[1];
      const bad = inputs[named] ?? (named === 'scope' ? boxes[0] : null);
      if (bad) { bad.setAttribute('aria-invalid', 'true'); bad.focus(); }
    }
  });
  return form;
}
