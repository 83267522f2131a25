// Create (#/automations/new) and edit (#/automations/{id}/edit) an automation: the common
// fields of docs/automations.md, with a live preview of the schedule's next fires
// (GET /api/cron/next), and the type's params as a form built from its JSON Schema
// (args_schema in GET /api/plugins; schema_form.js). Create is POST /api/automations, edit a
// PUT of every field the API takes back; `webhook` is never sent, so an edit keeps the
// webhook as it is. The edit page also deletes, after a confirm step.
import { api, can } from './api.js';
import { h, announce, errorText, confirmButton } from './dom.js';
import { INPUT_FIELDS } from './automations.js';
import { schemaForm, fieldBox, setFieldError, controlFor, sentence } from './schema_form.js';

// What a new automation starts with: the API's defaults (docs/automations.md).
const DEFAULTS = { name: '', type: 'script', params: {}, description: '', icon: null, tags: [], schedule: null,
                   timezone: 'UTC', catch_up: 'skip', enabled: true, timeout: null, concurrency: 'skip',
                   target: 'local', on_daemon_loss: 'interrupt', approval: null };

const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);

function select(values, current) {
  const el = h('select', {}, values.map((v) => h('option', { value: v }, v)));
  el.value = current;
  return el;
}

// A number input's value: a number, undefined when empty, or an error recorded.
function numberOf(control, path, errors) {
  if (control.validity.badInput) { errors.push({ path, control, message: `${path}: is not a number` }); return undefined; }
  if (control.value === '') return undefined;
  const n = Number(control.value);
  if (!Number.isInteger(n)) { errors.push({ path, control, message: `${path}: must be a whole number` }); return undefined; }
  return n;
}

// The next fire times as the schedule's own time zone reads them (the API answers in UTC).
function fireTime(iso, tz) {
  const opts = { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  try { return new Date(iso).toLocaleString(undefined, { ...opts, timeZone: tz }); } catch { return new Date(iso).toLocaleString(undefined, opts); }
}

// The live "next fires" line under the schedule; re-asked 250 ms after the last keystroke,
// and an answer that arrives after a newer question is dropped.
function schedulePreview(schedule, timezone) {
  const box = h('div', { id: 'schedule-preview', class: 'preview', 'aria-live': 'polite' });
  let asked = 0;
  let timer = null;
  const ask = async () => {
    const mine = ++asked;
    const expr = schedule.value.trim();
    const tz = timezone.value.trim() || 'UTC';
    if (!expr) { box.replaceChildren(h('p', { class: 'help' }, 'No schedule: it runs only when triggered (Run now, its webhook, the API).')); return; }
    try {
      const r = await api('GET', `/api/cron/next?expr=${encodeURIComponent(expr)}&tz=${encodeURIComponent(tz)}&n=3`);
      if (mine !== asked) return;
      box.replaceChildren(h('p', { class: 'help' }, `Next fires (${r.tz}):`),
        h('ul', { class: 'fires' }, r.next.map((t) => h('li', {}, h('time', { datetime: t }, fireTime(t, r.tz))))));
    } catch (err) {
      if (mine !== asked) return;
      box.replaceChildren(h('p', { class: 'error' }, `Not a valid schedule: ${err.message}`));
    }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(ask, 250); };
  schedule.addEventListener('input', later);
  timezone.addEventListener('input', later);
  ask();
  return { el: box, stop: () => clearTimeout(timer) };
}

// Delete, asked first ("Keep it" goes back).
function deleteSection(a, feedback) {
  const ask = confirmButton({
    label: 'Delete automation…', question: `Delete “${a.name}” for good? This cannot be undone.`,
    yes: 'Yes, delete it', no: 'Keep it',
    action: async () => {
      try {
        await api('DELETE', `/api/automations/${a.id}`);
        announce(`Deleted ${a.name}`);
        location.hash = '#/';
      } catch (err) {
        feedback.replaceChildren(errorText(err.message));
      }
    },
  });
  return h('section', { class: 'card danger-zone', 'aria-labelledby': 'delete-title' },
    h('h2', { id: 'delete-title' }, 'Delete'),
    h('p', {}, 'Removes the automation with its schedule and webhook. Its runs stay in the history.'),
    ask, feedback);
}

export async function automationFormPage(main, id) {
  if (!can('automations:write')) {
    main.replaceChildren(h('h1', {}, id ? 'Edit automation' : 'New automation'),
      errorText('This key may not create or change automations (it needs the automations:write permission).'));
    return null;
  }
  const [plugins, current] = await Promise.all([api('GET', '/api/plugins'), id ? api('GET', `/api/automations/${id}`) : null]);
  const types = plugins.plugins.filter((p) => p.kind === 'automation_type' && p.status === 'loaded');
  const a = { ...DEFAULTS, ...(current || {}) };
  if (!current && !types.some((t) => t.name === a.type) && types.length) a.type = types[0].name;

  // About
  const name = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' });
  name.value = a.name;
  const description = h('textarea', { rows: 2 });
  description.value = a.description || '';
  const tags = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  tags.value = (a.tags || []).join(', ');
  const icon = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'fa-database' });
  icon.value = a.icon || '';

  // What it runs: the type, and its params form (one per type, kept while the type is
  // switched back and forth, so nothing typed is lost).
  const typeSelect = h('select', { 'aria-describedby': 'f-type-help' }, types.map((t) => h('option', { value: t.name }, t.name)));
  if (!types.some((t) => t.name === a.type)) typeSelect.append(h('option', { value: a.type }, `${a.type} (plugin not loaded)`));
  typeSelect.value = a.type;
  const typeHelp = h('p', { id: 'f-type-help', class: 'help' });
  const paramsLegend = h('legend', {});
  const paramsBox = h('div', {});
  const forms = new Map();
  const paramsFor = (t) => {
    if (!forms.has(t)) forms.set(t, schemaForm(types.find((p) => p.name === t)?.args_schema ?? null, t === a.type ? a.params : {}));
    return forms.get(t);
  };
  const showType = () => {
    const t = typeSelect.value;
    const plugin = types.find((p) => p.name === t);
    typeHelp.textContent = plugin ? sentence(plugin.description || `The ${t} type.`) : 'This type’s plugin is not loaded: its params are shown as JSON.';
    paramsLegend.textContent = `Parameters of ${t}`;
    paramsBox.replaceChildren(paramsFor(t).el);
  };
  typeSelect.addEventListener('change', () => { showType(); announce(`Parameters of ${typeSelect.value} shown`); });
  showType();

  // When
  const schedule = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '30 2 * * *' });
  schedule.value = a.schedule || '';
  const timezone = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', list: 'f-tz-list' });
  timezone.value = a.timezone || 'UTC';
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const tzList = h('datalist', { id: 'f-tz-list' }, ['UTC', ...zones.filter((z) => z !== 'UTC')].map((z) => h('option', { value: z })));
  const preview = schedulePreview(schedule, timezone);
  const catchUp = select(['skip', 'once'], a.catch_up);

  // How it runs
  const enabled = h('input', { type: 'checkbox' });
  enabled.checked = a.enabled !== false;
  const timeout = h('input', { type: 'number', min: 1, max: 604800, step: 1, inputmode: 'numeric', placeholder: '3600' });
  timeout.value = a.timeout ?? '';
  const concurrency = select(['skip', 'queue', 'allow'], a.concurrency);
  const target = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'local' });
  target.value = a.target || 'local';
  const onLoss = select(['interrupt', 'retry'], a.on_daemon_loss);

  // Approval
  const ap = a.approval || {};
  const approvalRequired = h('input', { type: 'checkbox' });
  approvalRequired.checked = !!ap.required;
  const approvers = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  approvers.value = (ap.approvers || []).join(', ');
  const minApprovals = h('input', { type: 'number', min: 1, max: 50, step: 1, inputmode: 'numeric', placeholder: '1' });
  minApprovals.value = ap.min_approvals ?? '';
  const expiresIn = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', placeholder: '86400' });
  expiresIn.value = ap.expires_in ?? '';

  // The body from the controls; `controls` maps API field paths to controls for errors.
  const collect = () => {
    const errors = [];
    const controls = new Map([['name', name], ['type', typeSelect], ['description', description], ['icon', icon], ['tags', tags],
      ['schedule', schedule], ['timezone', timezone], ['catch_up', catchUp], ['enabled', enabled], ['timeout', timeout],
      ['concurrency', concurrency], ['target', target], ['on_daemon_loss', onLoss], ['approval', approvalRequired],
      ['approval.required', approvalRequired], ['approval.approvers', approvers], ['approval.min_approvals', minApprovals],
      ['approval.expires_in', expiresIn]]);
    if (!name.value.trim()) errors.push({ path: 'name', control: name, message: 'name: is required' });
    const params = paramsFor(typeSelect.value).read();
    errors.push(...params.errors);
    for (const [p, c] of params.controls) controls.set(p, c);
    const body = {
      name: name.value.trim(), type: typeSelect.value, params: params.value, description: description.value,
      tags: list(tags.value), schedule: schedule.value.trim() || null, timezone: timezone.value.trim() || 'UTC',
      catch_up: catchUp.value, enabled: enabled.checked, concurrency: concurrency.value,
      target: target.value.trim() || 'local', on_daemon_loss: onLoss.value,
    };
    if (icon.value.trim()) body.icon = icon.value.trim();
    const t = numberOf(timeout, 'timeout', errors);
    if (t !== undefined) body.timeout = t;
    const min = numberOf(minApprovals, 'approval.min_approvals', errors);
    const exp = numberOf(expiresIn, 'approval.expires_in', errors);
    const who = list(approvers.value);
    // Approval settings are sent once there are any (or were); otherwise none (null).
    if (approvalRequired.checked || who.length || min !== undefined || exp !== undefined || a.approval) {
      body.approval = { required: approvalRequired.checked, approvers: who };
      if (min !== undefined) body.approval.min_approvals = min;
      if (exp !== undefined) body.approval.expires_in = exp;
    }
    // Only what create/replace take (INPUT_FIELDS, plus approval); never `webhook`.
    const clean = Object.fromEntries(Object.entries(body).filter(([k]) => INPUT_FIELDS.includes(k) || k === 'approval'));
    return { body: clean, errors, controls };
  };

  const formError = h('div', { class: 'form-error' });
  const submit = h('button', { type: 'submit' }, current ? 'Save changes' : 'Create automation');
  const form = h('form', { class: 'auto-form', novalidate: true, 'aria-labelledby': 'form-title' },
    h('fieldset', {}, h('legend', {}, 'About'),
      fieldBox('f-name', 'Name', name, { required: true }),
      fieldBox('f-description', 'Description', description),
      fieldBox('f-tags', 'Tags', tags, { help: 'Comma-separated, e.g. backup, nas. Maintenance windows can match them (tag:NAME).' }),
      fieldBox('f-icon', 'Icon', icon, { help: 'An icon name for user interfaces, e.g. fa-database. Optional.' })),
    h('fieldset', {}, h('legend', {}, 'What it runs'),
      fieldBox('f-type', 'Type', typeSelect, { required: true }), typeHelp,
      h('fieldset', { class: 'group params' }, paramsLegend, paramsBox)),
    h('fieldset', {}, h('legend', {}, 'When'),
      fieldBox('f-schedule', 'Schedule', schedule,
        { help: 'Cron: minute hour day-of-month month day-of-week (30 2 * * *), or @hourly, @daily, @weekly… Empty: only when triggered.' }),
      preview.el,
      fieldBox('f-timezone', 'Time zone', timezone, { help: 'The IANA zone the schedule is read in, e.g. Europe/Berlin.' }), tzList,
      fieldBox('f-catch-up', 'Missed fires', catchUp,
        { help: 'Fires missed while the daemon was down: skip records each as skipped; once runs one for all of them.' })),
    h('fieldset', {}, h('legend', {}, 'How it runs'),
      fieldBox('f-enabled', 'Enabled', enabled, { inline: true, help: 'A disabled automation does not run at all: no schedule, no webhook, no Run now.' }),
      fieldBox('f-timeout', 'Timeout (seconds)', timeout, { help: 'The whole run’s limit, 1–604800. Empty: the daemon’s default (3600).' }),
      fieldBox('f-concurrency', 'Overlapping scheduled fires', concurrency,
        { help: 'A scheduled fire while a run is still active: skip records it skipped; queue runs every run one at a time; allow runs it alongside.' }),
      fieldBox('f-target', 'Target', target, { help: 'Where it runs: local, auto, device:<device id> or group:<group id>.' }),
      fieldBox('f-on-loss', 'If its daemon dies', onLoss,
        { help: 'Several daemons on PostgreSQL: interrupt ends the run; retry runs it again on another daemon (only for automations safe to run twice).' })),
    h('fieldset', {}, h('legend', {}, 'Approval'),
      fieldBox('f-approval', 'Runs wait for approval', approvalRequired, { inline: true }),
      fieldBox('f-approvers', 'Approvers', approvers, { help: 'Key names that may decide, comma-separated. Empty: any key with act:approve.' }),
      fieldBox('f-min-approvals', 'Approvals needed', minApprovals, { help: '1–50, at most the number of approvers. Default 1.' }),
      fieldBox('f-expires-in', 'Request expires after (seconds)', expiresIn, { help: 'Then the run is rejected. Default 86400 (a day).' })),
    formError,
    h('div', { class: 'actions' }, submit, h('a', { href: current ? `#/automations/${current.id}` : '#/', class: 'button-link secondary' }, 'Cancel')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const c of form.querySelectorAll('[aria-invalid="true"]')) setFieldError(c, null);
    formError.replaceChildren();
    const { body, errors, controls } = collect();
    if (errors.length) {
      for (const er of errors) setFieldError(er.control, er.message);
      formError.replaceChildren(h('div', { class: 'error', role: 'alert' },
        h('p', {}, errors.length === 1 ? 'Check this field:' : `Check these ${errors.length} fields:`),
        h('ul', {}, errors.map((er) => h('li', {}, er.message)))));
      errors[0].control.focus();
      return;
    }
    submit.disabled = true;
    try {
      const res = current ? await api('PUT', `/api/automations/${current.id}`, body) : await api('POST', '/api/automations', body);
      announce(current ? `Saved ${body.name}` : `Created ${body.name}`);
      location.hash = `#/automations/${current ? current.id : res.id}`;
    } catch (err) {
      // The API's own message, at the form; the input stays as typed.
      formError.replaceChildren(errorText(err.message));
      const c = controlFor(controls, err.message);
      if (c) setFieldError(c, err.message);
    } finally {
      submit.disabled = false;
    }
  });

  main.replaceChildren(...[
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Automations'), ' / ',
      current ? [h('a', { href: `#/automations/${current.id}` }, current.name), ' / Edit'] : 'New'),
    h('h1', { id: 'form-title' }, current ? `Edit ${current.name}` : 'New automation'),
    current ? null : h('p', {}, 'Or start from one of the ', h('a', { href: '#/templates' }, 'templates'), '.'),
    form,
    current ? deleteSection(current, h('div', {})) : null].filter(Boolean));
  return () => preview.stop();
}
