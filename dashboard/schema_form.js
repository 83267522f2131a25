// A form built from a JSON Schema (the `args_schema` of an automation type in GET /api/plugins),
// covering what the shipped types use: strings (enum → select, commands and content →
// multi-line), integers and numbers with min/max, booleans, arrays of strings (one per line),
// arrays of objects (a repeatable group per item), objects with properties (a nested group),
// string maps like `env` (NAME=value lines) and, for any other shape, a JSON text area checked
// on submit. The API validates everything again on save; this only has to build the value
// and say clearly what it could not parse.
import { h } from './dom.js';

let serial = 0;
const nextId = (hint) => `sf-${String(hint).replace(/[^A-Za-z0-9_-]/g, '-')}-${++serial}`;

// Free text that is usually several lines: shell commands, file contents, prompts.
const MULTILINE = /^(command|commands|content|script|body|prompt|text|message|template)$/;

const typeOf = (schema) => {
  const t = schema?.type;
  return Array.isArray(t) ? t.find((x) => x !== 'null') : t;
};
const has = (obj, key) => obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, key);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function kindOf(schema) {
  if (!schema || typeof schema !== 'object') return 'json';
  if (Array.isArray(schema.enum)) return 'enum';
  const t = typeOf(schema);
  if (t === 'string') return 'string';
  if (t === 'integer' || t === 'number') return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'array') {
    const it = typeOf(schema.items);
    if ((it === 'string' || it === 'integer' || it === 'number') && !Array.isArray(schema.items.enum)) return 'lines';
    if (it === 'object' && schema.items.properties) return 'list';
    return 'json';
  }
  if (t === 'object') {
    if (schema.properties && Object.keys(schema.properties).length) return 'object';
    const ap = schema.additionalProperties;
    if (ap && typeof ap === 'object' && typeOf(ap) === 'string') return 'pairs';
  }
  return 'json';
}

// A label, the control, its help text and a slot for its error, tied together with
// aria-describedby so that a screen reader reads the help and the error with the control.
export function fieldBox(id, labelText, control, { help, required, inline } = {}) {
  const helpEl = help ? h('p', { id: `${id}-help`, class: 'help' }, help) : null;
  control.id = id;
  if (helpEl) control.setAttribute('aria-describedby', helpEl.id);
  if (required) control.setAttribute('aria-required', 'true');
  const label = h('label', { for: id }, labelText, required ? h('span', { class: 'req' }, ' (required)') : null);
  return inline
    ? h('div', { class: 'field check' }, control, label, helpEl)
    : h('div', { class: 'field' }, label, control, helpEl);
}

// Shows (or clears, with no message) an error under a control, announced with it.
export function setFieldError(control, message) {
  const box = control.closest('.field, fieldset') || control.parentElement;
  const errId = `${control.id}-error`;
  box.querySelector(`#${CSS.escape(errId)}`)?.remove();
  const described = (control.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== errId);
  if (!message) {
    control.removeAttribute('aria-invalid');
    if (described.length) control.setAttribute('aria-describedby', described.join(' '));
    else control.removeAttribute('aria-describedby');
    return;
  }
  box.append(h('p', { id: errId, class: 'error field-error' }, message));
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', [...described, errId].join(' '));
}

// Descriptions in schemas often lack the final full stop; help texts join several of them.
export const sentence = (text) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

function helpText(schema, extra) {
  const parts = [];
  if (schema?.description) parts.push(sentence(schema.description));
  if (extra) parts.push(extra);
  if (schema && has(schema, 'default') && !same(schema.default, {}) && !same(schema.default, []))
    parts.push(`Default: ${typeof schema.default === 'string' ? schema.default : JSON.stringify(schema.default)}.`);
  const range = [];
  if (schema?.minimum !== undefined) range.push(`at least ${schema.minimum}`);
  if (schema?.maximum !== undefined) range.push(`at most ${schema.maximum}`);
  if (range.length) parts.push(`${range.join(', ')}.`.replace(/^./, (c) => c.toUpperCase()));
  return parts.join(' ') || null;
}

// Each builder returns { el, read(path, ctx) } where read gives { value } or { omit: true }
// and records problems in ctx.errors ([{ path, control, message }]) and every control in
// ctx.controls (path → control), so that an API error naming `params.steps[1].tool` can be
// shown at that control.
function build(name, schema, initial, required, present) {
  const kind = kindOf(schema);
  const id = nextId(name);
  const fallback = has(schema, 'default') ? schema.default : undefined;
  const start = present ? initial : fallback;

  // A value equal to the schema's default, which the saved params did not have, is left out
  // so the automation keeps following the type's default.
  const finish = (value) => (!present && !required && fallback !== undefined && same(value, fallback) ? { omit: true } : { value });
  const need = (path, ctx, control) => {
    if (required) ctx.errors.push({ path, control, message: `${path}: is required` });
    return { omit: true };
  };

  if (kind === 'enum') {
    const select = h('select', { name },
      required ? h('option', { value: '' }, '— choose —') : h('option', { value: '' }, fallback !== undefined ? `— default (${fallback}) —` : '— not set —'),
      schema.enum.map((v, i) => h('option', { value: String(i) }, String(v))));
    const at = schema.enum.findIndex((v) => same(v, present ? initial : undefined));
    select.value = at >= 0 ? String(at) : '';
    return {
      el: fieldBox(id, name, select, { help: helpText(schema), required }),
      read(path, ctx) {
        ctx.controls.set(path, select);
        if (select.value === '') return need(path, ctx, select);
        return { value: schema.enum[Number(select.value)] };
      },
    };
  }
  if (kind === 'string') {
    const multi = MULTILINE.test(name) || (schema.maxLength ?? 0) > 4096;
    const control = multi
      ? h('textarea', { name, rows: 4, spellcheck: 'false', class: 'mono' })
      : h('input', { name, type: 'text', spellcheck: 'false' });
    // Empty when not set: the placeholder shows the default, which applies when left empty.
    control.value = present && typeof initial === 'string' ? initial : '';
    if (fallback !== undefined) control.placeholder = String(fallback);
    return {
      el: fieldBox(id, name, control, { help: helpText(schema), required }),
      read(path, ctx) {
        ctx.controls.set(path, control);
        if (control.value === '') return need(path, ctx, control);
        return finish(control.value);
      },
    };
  }
  if (kind === 'number') {
    const integer = typeOf(schema) === 'integer';
    const control = h('input', { name, type: 'number', inputmode: integer ? 'numeric' : 'decimal', step: integer ? 1 : 'any',
                                 min: schema.minimum, max: schema.maximum });
    control.value = present && typeof initial === 'number' ? String(initial) : '';
    if (fallback !== undefined) control.placeholder = String(fallback);
    return {
      el: fieldBox(id, name, control, { help: helpText(schema), required }),
      read(path, ctx) {
        ctx.controls.set(path, control);
        if (control.validity.badInput) {
          ctx.errors.push({ path, control, message: `${path}: is not a number` });
          return { omit: true };
        }
        if (control.value === '') return need(path, ctx, control);
        const n = Number(control.value);
        if (integer && !Number.isInteger(n)) {
          ctx.errors.push({ path, control, message: `${path}: must be a whole number` });
          return { omit: true };
        }
        return finish(n);
      },
    };
  }
  if (kind === 'boolean') {
    // With a default (or required) a checkbox says it all; without one, "not set" must stay
    // possible, so a select with three answers.
    if (fallback !== undefined || required) {
      const box = h('input', { name, type: 'checkbox' });
      box.checked = !!start;
      return {
        el: fieldBox(id, name, box, { help: helpText(schema), inline: true }),
        read(path, ctx) { ctx.controls.set(path, box); return finish(box.checked); },
      };
    }
    const select = h('select', { name }, h('option', { value: '' }, '— not set —'), h('option', { value: 'true' }, 'yes'), h('option', { value: 'false' }, 'no'));
    select.value = present && typeof initial === 'boolean' ? String(initial) : '';
    return {
      el: fieldBox(id, name, select, { help: helpText(schema) }),
      read(path, ctx) { ctx.controls.set(path, select); return select.value === '' ? { omit: true } : { value: select.value === 'true' }; },
    };
  }
  if (kind === 'lines') {
    const numeric = typeOf(schema.items) !== 'string';
    const control = h('textarea', { name, rows: 3, spellcheck: 'false', class: 'mono' });
    control.value = Array.isArray(start) ? start.join('\n') : '';
    return {
      el: fieldBox(id, name, control, { help: helpText(schema, 'One per line.'), required }),
      read(path, ctx) {
        ctx.controls.set(path, control);
        const lines = control.value.split('\n').map((l) => l.trim()).filter(Boolean);
        if (lines.length === 0 && !present) return need(path, ctx, control);
        if (numeric) {
          const bad = lines.find((l) => Number.isNaN(Number(l)));
          if (bad !== undefined) { ctx.errors.push({ path, control, message: `${path}: "${bad}" is not a number` }); return { omit: true }; }
          return finish(lines.map(Number));
        }
        return finish(lines);
      },
    };
  }
  if (kind === 'pairs') {
    const control = h('textarea', { name, rows: 3, spellcheck: 'false', class: 'mono' });
    control.value = start && typeof start === 'object' ? Object.entries(start).map(([k, v]) => `${k}=${v}`).join('\n') : '';
    return {
      el: fieldBox(id, name, control, { help: helpText(schema, 'One NAME=value per line.'), required }),
      read(path, ctx) {
        ctx.controls.set(path, control);
        const out = {};
        const lines = control.value.split('\n');
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i].trim();
          if (!line) continue;
          const eq = line.indexOf('=');
          if (eq <= 0) { ctx.errors.push({ path, control, message: `${path}: line ${i + 1} is not NAME=value` }); return { omit: true }; }
          out[line.slice(0, eq).trim()] = line.slice(eq + 1);
        }
        if (Object.keys(out).length === 0 && !present) return need(path, ctx, control);
        return finish(out);
      },
    };
  }
  if (kind === 'object') {
    const group = objectGroup(schema, present && initial && typeof initial === 'object' ? initial : {});
    const fs = h('fieldset', { class: 'group' }, h('legend', {}, name, required ? h('span', { class: 'req' }, ' (required)') : null),
      schema.description ? h('p', { class: 'help' }, sentence(schema.description)) : null, group.el);
    return { el: fs, read: (path, ctx) => group.read(path, ctx) };
  }
  if (kind === 'list') return listField(name, schema, present ? initial : undefined, required, id);

  // Anything else: JSON, parsed when the form is submitted.
  const control = h('textarea', { name, rows: 4, spellcheck: 'false', class: 'mono' });
  control.value = present && initial !== undefined ? JSON.stringify(initial, null, 2) : '';
  const t = typeOf(schema);
  return {
    el: fieldBox(id, name, control, { help: helpText(schema, `JSON${t ? ` (${t})` : ''}.`), required }),
    read(path, ctx) {
      ctx.controls.set(path, control);
      if (control.value.trim() === '') return need(path, ctx, control);
      let value;
      try { value = JSON.parse(control.value); } catch (e) {
        ctx.errors.push({ path, control, message: `${path}: not valid JSON (${e.message})` });
        return { omit: true };
      }
      const isType = { object: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), array: Array.isArray,
                       string: (v) => typeof v === 'string', boolean: (v) => typeof v === 'boolean' };
      if (t && isType[t] && !isType[t](value)) {
        ctx.errors.push({ path, control, message: `${path}: must be JSON of type ${t}` });
        return { omit: true };
      }
      return finish(value);
    },
  };
}

// The properties of an object, required ones first. Keys of the initial value that the schema
// does not know are carried over unchanged (the API decides about them, nothing is lost).
function objectGroup(schema, initial) {
  const props = schema.properties || {};
  const required = new Set(schema.required || []);
  const names = Object.keys(props).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  const fields = names.map((n) => [n, build(n, props[n], initial[n], required.has(n), has(initial, n))]);
  const extra = Object.fromEntries(Object.entries(initial).filter(([k]) => !has(props, k)));
  return {
    el: h('div', { class: 'group-fields' }, fields.map(([, f]) => f.el)),
    read(path, ctx) {
      const value = { ...extra };
      for (const [n, f] of fields) {
        const r = f.read(path ? `${path}.${n}` : n, ctx);
        if (!r.omit) value[n] = r.value;
      }
      return { value };
    },
  };
}

// An array of objects (a sequence's steps): one group per item, which can be added, moved
// and removed with buttons named after the item ("Remove step 2").
function listField(name, schema, initial, required, id) {
  const noun = name.endsWith('s') ? name.slice(0, -1) : `${name} item`;
  const items = [];
  const holder = h('div', { class: 'list-items' });
  const legend = h('legend', { id: `${id}-legend` }, name, required ? h('span', { class: 'req' }, ' (required)') : null);
  const fs = h('fieldset', { class: 'group list', 'aria-describedby': schema.description ? `${id}-help` : null },
    legend, schema.description ? h('p', { id: `${id}-help`, class: 'help' }, sentence(schema.description)) : null, holder);
  fs.id = id;

  const renumber = () => {
    items.forEach((it, i) => {
      it.legend.textContent = `${noun[0].toUpperCase()}${noun.slice(1)} ${i + 1}`;
      it.up.disabled = i === 0;
      it.down.disabled = i === items.length - 1;
      it.up.setAttribute('aria-label', `Move ${noun} ${i + 1} up`);
      it.down.setAttribute('aria-label', `Move ${noun} ${i + 1} down`);
      it.remove.setAttribute('aria-label', `Remove ${noun} ${i + 1}`);
    });
    holder.replaceChildren(...items.map((it) => it.el));
  };
  const move = (it, by, button) => {
    const i = items.indexOf(it);
    items.splice(i, 1);
    items.splice(i + by, 0, it);
    renumber();
    (button.disabled ? it.el.querySelector('input, select, textarea') : button)?.focus();
  };
  const add = (value) => {
    const group = objectGroup(schema.items, value && typeof value === 'object' ? value : {});
    const it = { group, legend: h('legend', {}) };
    it.up = h('button', { type: 'button', class: 'secondary small', onclick: () => move(it, -1, it.up) }, 'Move up');
    it.down = h('button', { type: 'button', class: 'secondary small', onclick: () => move(it, 1, it.down) }, 'Move down');
    it.remove = h('button', { type: 'button', class: 'secondary small', onclick: () => {
      const i = items.indexOf(it);
      items.splice(i, 1);
      renumber();
      (items[Math.min(i, items.length - 1)]?.remove || addButton).focus();
    } }, 'Remove');
    it.el = h('fieldset', { class: 'group item' }, it.legend, group.el, h('div', { class: 'item-actions' }, it.up, it.down, it.remove));
    items.push(it);
    renumber();
    return it;
  };
  const addButton = h('button', { type: 'button', class: 'secondary', id: `${id}-add`, onclick: () => {
    const it = add({});
    it.el.querySelector('input, select, textarea')?.focus();
  } }, `Add ${noun}`);
  fs.append(h('div', { class: 'item-actions' }, addButton));

  const start = Array.isArray(initial) ? initial : [];
  start.forEach(add);
  if (start.length === 0 && (schema.minItems ?? 0) > 0) add({});
  return {
    el: fs,
    read(path, ctx) {
      ctx.controls.set(path, items[0]?.el.querySelector('input, select, textarea') || addButton);
      if (items.length === 0) {
        if (required) ctx.errors.push({ path, control: addButton, message: `${path}: add at least one ${noun}` });
        return initial === undefined ? { omit: true } : { value: [] };
      }
      return { value: items.map((it, i) => it.group.read(`${path}[${i}]`, ctx).value) };
    },
  };
}

// The form for a whole params object. `schema` null (a type whose plugin is not loaded):
// the params as JSON. read() gives { value, errors, controls }.
export function schemaForm(schema, value, { path = 'params' } = {}) {
  const initial = value && typeof value === 'object' ? value : {};
  const part = schema && kindOf(schema) === 'object'
    ? objectGroup(schema, initial)
    : build(path, schema || { type: 'object' }, initial, false, true);
  return {
    el: part.el,
    read() {
      const ctx = { errors: [], controls: new Map() };
      const r = part.read(path, ctx);
      return { value: r.omit ? {} : r.value, errors: ctx.errors, controls: ctx.controls };
    },
  };
}

// The control an API error names: `params.steps[1].tool: …` → that control, or the nearest
// enclosing one that exists (`params.steps[1]` → its first control).
export function controlFor(controls, message) {
  const m = /^([A-Za-z_][\w.[\]]*):\s/.exec(message || '');
  if (!m) return null;
  let path = m[1];
  while (path) {
    if (controls.has(path)) return controls.get(path);
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (cut <= 0) break;
    path = path.slice(0, cut);
  }
  for (const [p, c] of controls) if (p.startsWith(`${m[1]}.`) || p.startsWith(`${m[1]}[`)) return c;
  return null;
}
