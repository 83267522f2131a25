// Reads the daemon's own OpenAPI document (GET /api/openapi.json, the contract) into what the
// playground shows: a flat list of operations with their parameters, request bodies and the
// permissions that admit them, grouped by tag, and example bodies built from the schemas.
// Pure functions of the document: no DOM, no fetch.

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
// GET /api/keys/self lists this instead of a permission: every valid key may call it.
const ANY_KEY = 'any valid key';
// Scenario permissions admit a single-task key only on routes about its own automation.
const SCENARIO = ['scenario:run', 'scenario:history'];

// Follows a local "$ref" ("#/components/schemas/X") until a real object; a ref this document
// does not hold (or a cycle) gives an empty object rather than throwing mid-page.
export function resolve(spec, node) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    if (seen.has(node.$ref) || !node.$ref.startsWith('#/')) return {};
    seen.add(node.$ref);
    node = node.$ref.slice(2).split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((at, part) => (at && typeof at === 'object' ? at[part] : undefined), spec);
  }
  return node && typeof node === 'object' ? node : {};
}

// Path-level parameters apply to every method of the path; an operation's own parameter of
// the same name and place replaces it (OpenAPI 3.1, "Path Item Object").
function parametersOf(spec, pathItem, op) {
  const byKey = new Map();
  for (const raw of [...(pathItem.parameters || []), ...(op.parameters || [])]) {
    const p = resolve(spec, raw);
    if (!p.name || !p.in) continue;
    byKey.set(`${p.in}:${p.name}`, p);
  }
  const order = { path: 0, query: 1, header: 2, cookie: 3 };
  return [...byKey.values()]
    .filter((p) => p.in !== 'cookie')  // the browser owns cookies; the API uses none
    .sort((a, b) => order[a.in] - order[b.in])
    .map((p) => {
      const schema = flatten(spec, p.schema || {});
      const firstExample = p.examples ? resolve(spec, Object.values(p.examples)[0]).value : undefined;
      return {
        name: p.name,
        in: p.in,
        required: p.in === 'path' || !!p.required,
        description: p.description || schema.description || '',
        schema,
        enum: Array.isArray(schema.enum) ? schema.enum : (typeOf(schema) === 'boolean' ? [true, false] : null),
        // What the input starts with: the spec's example, else its default, else nothing.
        initial: p.example ?? firstExample ?? schema.example ?? schema.default,
      };
    });
}

function bodyOf(spec, op) {
  if (!op.requestBody) return null;
  const rb = resolve(spec, op.requestBody);
  const contents = Object.entries(rb.content || {}).map(([type, media]) => {
    const schema = media.schema || {};
    const examples = Object.entries(media.examples || {}).map(([name, ex]) => {
      const e = resolve(spec, ex);
      return { name, summary: e.summary || name, value: e.value };
    });
    if (media.example !== undefined) examples.unshift({ name: 'example', summary: 'Example', value: media.example });
    examples.push({ name: 'schema', summary: 'Built from the schema (required fields)', value: exampleFor(spec, schema) });
    return { type, schema, examples };
  });
  return { required: !!rb.required, description: rb.description || '', contents };
}

// Every operation of the document, in the document's order.
export function operations(spec) {
  const list = [];
  for (const [path, rawItem] of Object.entries(spec.paths || {})) {
    const item = resolve(spec, rawItem);
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? spec.security ?? [];
      const responses = Object.entries(op.responses || {}).map(([code, r]) => {
        const res = resolve(spec, r);
        return { code, description: res.description || '', types: Object.keys(res.content || {}) };
      });
      list.push({
        id: op.operationId || `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        tags: op.tags && op.tags.length ? op.tags : ['other'],
        summary: op.summary || '',
        description: op.description || item.description || '',
        // security: [] (or only an empty requirement) means no key is needed.
        public: security.length === 0 || security.some((req) => Object.keys(req).length === 0),
        permissions: Array.isArray(op['x-permissions']) ? op['x-permissions'] : null,
        params: parametersOf(spec, item, op),
        body: bodyOf(spec, op),
        responses,
        // A 2xx answer that is a text/event-stream never ends by itself while the run lives.
        streams: responses.some((r) => r.code.startsWith('2') && r.types.includes('text/event-stream')),
      });
    }
  }
  return list;
}

// Operations under the document's tags, in the order of its `tags` list (an operation with
// several tags is listed under its first only, so that each appears once).
export function groupByTag(spec, ops) {
  const described = new Map((spec.tags || []).map((t) => [t.name, t.description || '']));
  const groups = new Map([...described.keys()].map((name) => [name, []]));
  for (const op of ops) {
    const tag = op.tags[0];
    if (!groups.has(tag)) groups.set(tag, []);
    groups.get(tag).push(op);
  }
  return [...groups.entries()].filter(([, list]) => list.length > 0)
    .map(([tag, list]) => ({ tag, description: described.get(tag) || '', ops: list }));
}

// May the signed-in key call `op`? `can(permission)` is api.js's; `automationId` is a
// single-task key's binding. state: public | allowed | own (its one automation only) |
// denied | unknown (the operation lists no permissions).
export function access(op, can, automationId) {
  if (op.public) return { state: 'public', text: 'public' };
  if (!op.permissions || op.permissions.length === 0) return { state: 'unknown', text: 'any key?' };
  if (op.permissions.includes(ANY_KEY)) return { state: 'allowed', text: 'allowed' };
  const held = op.permissions.filter(can);
  if (held.length === 0) return { state: 'denied', text: 'not allowed' };
  if (automationId && held.every((p) => SCENARIO.includes(p))) return { state: 'own', text: 'own automation only' };
  return { state: 'allowed', text: 'allowed' };
}

function typeOf(schema) {
  const t = schema.type;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') ?? 'null';
  if (t) return t;
  if (schema.properties || schema.required) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

// One schema with its $ref and allOf merged in (properties, required, the rest from the first
// that says it); of anyOf/oneOf, the first branch is taken, as an example needs only one shape.
export function flatten(spec, schema, depth = 0) {
  const s = resolve(spec, schema);
  if (depth > 10) return s;
  const parts = [s, ...(s.allOf || []).map((x) => flatten(spec, x, depth + 1))];
  const branch = s.anyOf || s.oneOf;
  if (branch && branch.length) parts.push(flatten(spec, branch[0], depth + 1));
  if (parts.length === 1) return s;
  const out = { ...s };
  delete out.allOf; delete out.anyOf; delete out.oneOf;
  out.properties = {};
  out.required = [];
  for (const p of parts) {
    Object.assign(out.properties, p.properties || {});
    for (const r of p.required || []) if (!out.required.includes(r)) out.required.push(r);
    for (const [k, v] of Object.entries(p)) if (!(k in out)) out[k] = v;
  }
  return out;
}

// An example value for a schema: its example, default, const or first enum value; for an
// object, its required fields (each by the same rule); for an array with minItems, one item.
// Strings with nothing to go by are empty: the user fills them, and the API says what is wrong.
export function exampleFor(spec, schema, depth = 0) {
  const s = flatten(spec, schema);
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (depth > 8) return null;
  switch (typeOf(s)) {
    case 'object': {
      const obj = {};
      for (const name of s.required || []) obj[name] = exampleFor(spec, (s.properties || {})[name] || {}, depth + 1);
      return obj;
    }
    case 'array': return s.minItems > 0 ? [exampleFor(spec, s.items || {}, depth + 1)] : [];
    case 'string': return '';
    case 'integer': case 'number': return s.minimum ?? 0;
    case 'boolean': return false;
    case 'null': return null;
    default: return depth === 0 ? {} : null;  // `{}`: any JSON; an empty object is a fair start
  }
}
