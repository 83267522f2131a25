// A JSON Schema shown for people: its properties as a table (name, type, required,
// description, default) — nested objects and array items flattened as `steps[].tool` — and
// the raw JSON below it, both inside a collapsible <details>. Everything is text nodes.
import { h } from './dom.js';

const range = (min, max) => (min !== undefined && max !== undefined ? `${min}–${max}`
  : min !== undefined ? `≥ ${min}` : `≤ ${max}`);

// "string (one of "zstd", "gzip")", "integer (1–100000)", "array of string (items ≥ 1)".
export function typeText(p) {
  const types = (t) => [].concat(t).join(' or ');
  let t = p.type ? types(p.type) : p.enum ? 'enum' : (p.oneOf || p.anyOf) ? 'one of several' : 'any';
  if (p.items && p.items.type) t += ` of ${types(p.items.type)}`;
  const notes = [];
  if (Array.isArray(p.enum)) notes.push(`one of ${p.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (p.minimum !== undefined || p.maximum !== undefined) notes.push(range(p.minimum, p.maximum));
  if (p.minLength !== undefined || p.maxLength !== undefined) notes.push(`length ${range(p.minLength, p.maxLength)}`);
  if (p.minItems !== undefined || p.maxItems !== undefined) notes.push(`items ${range(p.minItems, p.maxItems)}`);
  if (p.additionalProperties && typeof p.additionalProperties === 'object' && p.additionalProperties.type) {
    notes.push(`values ${types(p.additionalProperties.type)}`);
  }
  return notes.length ? `${t} (${notes.join('; ')})` : t;
}

// The properties, depth first, nested ones under their parent's path.
function flatten(schema, prefix = '', out = [], depth = 0) {
  const props = schema && typeof schema === 'object' ? schema.properties : null;
  if (!props || typeof props !== 'object') return out;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  for (const [name, raw] of Object.entries(props)) {
    const p = raw && typeof raw === 'object' ? raw : {};
    const path = prefix ? `${prefix}.${name}` : name;
    out.push({ path, p, required: required.has(name) });
    if (depth < 5) {
      flatten(p, path, out, depth + 1);
      if (p.items && typeof p.items === 'object') flatten(p.items, `${path}[]`, out, depth + 1);
    }
  }
  return out;
}

export function schemaTable(schema, caption) {
  const rows = flatten(schema);
  if (rows.length === 0) return h('p', { class: 'help' }, 'No properties.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'stack schema' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ['Name', 'Type', 'Required', 'Description', 'Default'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map(({ path, p, required }) => h('tr', { 'data-property': path },
      h('th', { scope: 'row', 'data-label': 'Name' }, h('code', {}, path)),
      h('td', { 'data-label': 'Type' }, typeText(p)),
      h('td', { 'data-label': 'Required' }, required ? 'yes' : 'no'),
      h('td', { 'data-label': 'Description' }, p.description || '—'),
      h('td', { 'data-label': 'Default' }, p.default === undefined ? '—' : h('code', {}, JSON.stringify(p.default))))))));
}

// The collapsible view: `title` names what the schema describes ("Args of bash").
export function schemaDetails(schema, title) {
  if (schema === null || schema === undefined) return h('p', { class: 'help' }, `${title}: no schema.`);
  const closed = schema.additionalProperties === false
    ? h('p', { class: 'help' }, 'Other properties are refused.') : null;
  return h('details', { class: 'schema' },
    h('summary', {}, title),
    schemaTable(schema, title),
    closed,
    h('details', { class: 'raw' },
      h('summary', {}, 'Raw JSON Schema'),
      h('pre', { class: 'json-view', tabindex: '0', 'aria-label': `${title}, raw JSON Schema` }, JSON.stringify(schema, null, 2))));
}
