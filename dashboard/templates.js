// The template gallery (#/templates): every template of GET /api/automations/templates as a
// card with what it does and what it needs; keys with automations:write get "Apply", which
// opens a small form for the template's parameters and POSTs
// /api/automations/templates/{id}/apply (docs/templates.md). Empty fields are left out so the
// template's defaults apply; the API checks the values and names any that are missing or wrong.
import { api, can } from './api.js';
import { h, announce, errorText } from './dom.js';
import { fieldBox, setFieldError, controlFor, sentence } from './schema_form.js';

const MULTILINE = /^(command|content|script|body|text|message)$/;

function needs(t) {
  if (t.parameters.length === 0) return h('p', { class: 'help' }, 'Needs nothing: apply it as it is.');
  return h('ul', { class: 'params' }, t.parameters.map((p) => h('li', {},
    h('code', {}, p.name), ' ',
    p.required ? h('strong', {}, '(required)') : `(default ${JSON.stringify(p.default ?? null)})`,
    p.description ? ` — ${p.description}` : '')));
}

// The controls of one parameter: a value of its declared type, or "leave it out".
function paramControl(t, p) {
  const id = `tpl-${t.id}-${p.name}`.replace(/[^A-Za-z0-9_-]/g, '-');
  let control;
  let read;
  if (p.type === 'boolean') {
    control = h('input', { type: 'checkbox', name: p.name });
    control.checked = p.default === true;
    read = () => ({ value: control.checked });
  } else if (p.type === 'integer' || p.type === 'number') {
    control = h('input', { type: 'number', name: p.name, step: p.type === 'integer' ? 1 : 'any', inputmode: 'decimal' });
    read = () => (control.validity.badInput ? { error: 'is not a number' }
      : control.value === '' ? { omit: true } : { value: control.valueAsNumber });
  } else {
    control = MULTILINE.test(p.name) ? h('textarea', { name: p.name, rows: 3, spellcheck: 'false', class: 'mono' })
      : h('input', { type: 'text', name: p.name, spellcheck: 'false', autocomplete: 'off' });
    read = () => (control.value === '' ? { omit: true } : { value: control.value });
  }
  if (p.type !== 'boolean') {
    if (p.default !== undefined) control.placeholder = String(p.default);
    else if (p.example !== undefined) control.placeholder = `e.g. ${String(p.example).replace(/\n/g, ' ')}`;
  }
  const help = [p.description && sentence(p.description), p.default !== undefined && p.type !== 'boolean' ? `Empty: ${JSON.stringify(p.default)}.` : null]
    .filter(Boolean).join(' ');
  return { el: fieldBox(id, p.name, control, { help: help || null, required: !!p.required, inline: p.type === 'boolean' }), control, read };
}

// After a template with a webhook: its token is in this answer only, so show it before
// moving on (docs/webhooks-and-streams.md).
function webhookNotice(res) {
  const url = `${location.origin}${res.webhook_url}`;
  return h('div', { class: 'notice', role: 'status' },
    h('p', {}, h('strong', {}, 'Created, with a webhook. '), 'Copy its URL now: the token is shown only this once.'),
    h('p', {}, h('code', { class: 'wrap' }, url)),
    h('p', {}, h('a', { href: `#/automations/${res.id}` }, 'Open the new automation')));
}

function applyForm(t, close) {
  const fields = t.parameters.map((p) => [p, paramControl(t, p)]);
  const nameId = `tpl-${t.id}--new-name`.replace(/[^A-Za-z0-9_-]/g, '-');
  const name = h('input', { type: 'text', autocomplete: 'off', placeholder: 'the template’s own' });
  const feedback = h('div');
  const submit = h('button', { type: 'submit' }, 'Create automation');
  const form = h('form', { class: 'apply', novalidate: true, 'aria-label': `Apply ${t.name}` },
    fields.map(([, f]) => f.el),
    fieldBox(nameId, 'Name of the new automation', name, { help: 'Optional.' }),
    feedback,
    h('div', { class: 'actions' }, submit,
      h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const c of form.querySelectorAll('[aria-invalid="true"]')) setFieldError(c, null);
    feedback.replaceChildren();
    const values = {};
    const controls = new Map([['name', name]]);
    const errors = [];
    for (const [p, f] of fields) {
      controls.set(`values.${p.name}`, f.control);
      const r = f.read();
      if (r.error) errors.push([f.control, `values.${p.name}: ${r.error}`]);
      else if (!r.omit) values[p.name] = r.value;
    }
    if (errors.length) {
      for (const [c, m] of errors) setFieldError(c, m);
      feedback.replaceChildren(errorText(errors.map(([, m]) => m).join('; ')));
      errors[0][0].focus();
      return;
    }
    const body = { values };
    if (name.value.trim()) body.name = name.value.trim();
    submit.disabled = true;
    try {
      const res = await api('POST', `/api/automations/templates/${encodeURIComponent(t.id)}/apply`, body);
      const created = body.name || t.name;
      announce(`Created ${created} from the template ${t.name}`);
      if (res.webhook_url) form.replaceWith(webhookNotice(res));
      else location.hash = `#/automations/${res.id}`;
    } catch (err) {
      // The API's message at the form; what was typed stays.
      feedback.replaceChildren(errorText(err.message));
      const c = controlFor(controls, err.message);
      if (c) setFieldError(c, err.message);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function card(t) {
  const slot = h('div', {});
  const titleId = `tpl-${t.id}-title`.replace(/[^A-Za-z0-9_-]/g, '-');
  const article = h('article', { class: 'card template', 'aria-labelledby': titleId, 'data-template': t.id },
    h('h2', { id: titleId }, t.name),
    h('p', { class: 'help' }, `Creates a ${t.type} automation · template ${t.id}`),
    h('p', {}, t.description),
    h('h3', {}, 'What it needs'),
    needs(t),
    slot);
  if (can('automations:write')) {
    // Apply shows the form under it (and hides it again); Cancel closes it, back on Apply.
    const formId = `tpl-${t.id}-form`.replace(/[^A-Za-z0-9_-]/g, '-');
    const holder = h('div', { id: formId });
    const open = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': formId, 'aria-label': `Apply ${t.name}` }, 'Apply');
    const close = () => {
      holder.replaceChildren();
      open.setAttribute('aria-expanded', 'false');
      open.focus();
    };
    open.addEventListener('click', () => {
      if (open.getAttribute('aria-expanded') === 'true') return close();
      const form = applyForm(t, close);
      holder.replaceChildren(form);
      open.setAttribute('aria-expanded', 'true');
      (form.querySelector('input, textarea, select') || form.querySelector('button')).focus();
    });
    slot.append(open, holder);
  }
  return article;
}

export async function templatesPage(main) {
  const templates = await api('GET', '/api/automations/templates');
  main.replaceChildren(
    h('h1', {}, 'Templates'),
    h('p', {}, can('automations:write')
      ? 'Ready-made automations: apply one, fill in what it needs, and it is created (you can edit it afterwards).'
      : 'Ready-made automations. Applying one needs a key with automations:write.'),
    templates.length === 0 ? h('p', {}, 'No templates found (see template_dir in docs/templates.md).')
      : h('div', { class: 'gallery' }, templates.map(card)));
}
