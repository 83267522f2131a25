#!/usr/bin/env node
// Checks recorded live responses against the OpenAPI document: the operation exists, the
// status is documented for it, the content type is documented for that status, and a JSON
// body validates against its schema (JSON Schema 2020-12: Ajv + ajv-formats). Prints every
// mismatch with the instance path; exits 1 when there is any. Used by
// tests/runtime/openapi_test.cpp, and checked to fail on wrong records by
// tests/unit/openapi_validate_test.cpp.
//
//   node validate_responses.mjs spec.json records.json
//
// records.json: [{"method": "GET", "route": "/api/automations/{id}", "path": "/api/automations/auto_1",
//                 "status": 200, "content_type": "application/json", "body": "{…}"}, …]
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

if (process.argv.length !== 4) {
  process.stderr.write('usage: validate_responses.mjs spec.json records.json\n');
  process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const records = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));

// strict: false — OpenAPI schemas carry keywords JSON Schema does not know (example,
// discriminator, xml); they are annotations, not constraints. The document itself is added
// as one schema so every `#/components/...` reference resolves inside it.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);
// OpenAPI's own numeric formats (ajv-formats knows the JSON Schema ones only).
const int = (bits) => ({ type: 'number', validate: (n) => Number.isInteger(n) && Math.abs(n) <= 2 ** (bits - 1) });
ajv.addFormat('int32', int(32));
ajv.addFormat('int64', int(64));
ajv.addFormat('float', { type: 'number', validate: () => true });
ajv.addFormat('double', { type: 'number', validate: () => true });
const SPEC_ID = 'https://steward.invalid/openapi.json';
ajv.addSchema(spec, SPEC_ID);

const pointer = (parts) => '#' + parts.map((p) => '/' + encodeURIComponent(String(p).replace(/~/g, '~0').replace(/\//g, '~1'))).join('');

// Follows `$ref`s (local ones: the document is bundled) to the object and its location.
function deref(node, parts) {
  for (let hops = 0; node && typeof node.$ref === 'string'; hops++) {
    if (!node.$ref.startsWith('#/') || hops > 20) return { node: null, parts, error: `cannot follow $ref ${node.$ref}` };
    parts = node.$ref.slice(2).split('/').map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'));
    node = parts.reduce((n, p) => (n == null ? n : n[p]), spec);
  }
  return { node, parts };
}

const validators = new Map();
function validatorAt(parts) {
  const ref = SPEC_ID + pointer(parts);
  if (!validators.has(ref)) {
    try {
      validators.set(ref, ajv.compile({ $ref: ref }));
    } catch (e) {
      validators.set(ref, e);
    }
  }
  return validators.get(ref);
}

const baseType = (ct) => (ct || '').split(';')[0].trim().toLowerCase();
const isJson = (ct) => ct === 'application/json' || ct.endsWith('+json');
// A documented media range that covers the actual type: exact, "type/*" or "*/*".
function mediaFor(content, ct) {
  const keys = Object.keys(content);
  const key =
    keys.find((k) => baseType(k) === ct) ??
    keys.find((k) => baseType(k) === ct.split('/')[0] + '/*') ??
    keys.find((k) => baseType(k) === '*/*');
  return key === undefined ? null : { key, media: content[key] };
}

function check(r) {
  const problems = [];
  const method = String(r.method).toLowerCase();
  const op = spec.paths?.[r.route]?.[method];
  if (!op) return [`the spec has no operation ${r.method} ${r.route}`];
  const responses = op.responses ?? {};
  const status = String(r.status);
  const range = Object.keys(responses).find((k) => k.toUpperCase() === status[0] + 'XX');
  const code = status in responses ? status : range;
  if (code === undefined)
    return [`status ${status} is not documented (documented: ${Object.keys(responses).join(', ') || 'none'})`];

  const { node: response, parts, error } = deref(responses[code], ['paths', r.route, method, 'responses', code]);
  if (!response) return [error ?? `response ${code} does not resolve`];
  const ct = baseType(r.content_type);
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) {
    if (r.body) problems.push(`a ${r.body.length}-byte body (${ct}) where the spec documents no content`);
    return problems;
  }
  const found = mediaFor(content, ct);
  if (!found) return [`content type '${ct}' is not documented (documented: ${Object.keys(content).join(', ')})`];
  if (!isJson(ct) || !found.media.schema) return problems;

  let body;
  try {
    body = JSON.parse(r.body);
  } catch (e) {
    return [`the body is not JSON: ${e.message}`];
  }
  const validate = validatorAt([...parts, 'content', found.key, 'schema']);
  if (validate instanceof Error) return [`the schema does not compile: ${validate.message}`];
  if (!validate(body))
    for (const e of validate.errors) {
      const extra = e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : '';
      problems.push(`${e.instancePath || '(root)'}: ${e.message}${extra}  [schema ${decodeURIComponent(e.schemaPath).replace(SPEC_ID, '')}]`);
    }
  return problems;
}

let failed = 0;
const covered = new Set();
for (const r of records) {
  const problems = check(r);
  if (spec.paths?.[r.route]?.[String(r.method).toLowerCase()]) covered.add(`${r.method} ${r.route}`.toUpperCase());
  if (problems.length === 0) continue;
  failed++;
  const shown = r.path && r.path !== r.route ? ` (${r.path})` : '';
  process.stdout.write(`MISMATCH ${r.method} ${r.route}${shown} -> ${r.status} ${baseType(r.content_type)}\n`);
  for (const p of problems) process.stdout.write(`    ${p}\n`);
  const body = String(r.body ?? '');
  if (body) process.stdout.write(`    body: ${body.length > 400 ? body.slice(0, 400) + '…' : body}\n`);
}
const operations = Object.values(spec.paths ?? {}).reduce(
  (n, item) => n + Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(k)).length,
  0,
);
process.stdout.write(
  `${records.length} responses checked, ${failed} mismatched; ${covered.size} of the spec's ${operations} operations exercised\n`,
);
process.exit(failed ? 1 : 0);
