// One operation in the playground: its contract (description, permissions, the answers it
// may give), a form for its parameters and body, Send with the signed-in key, the answer
// (status, time, headers, body), and Copy as curl.
import { can, canReadRuns, me, session } from './api.js';
import { h, announce, errorText } from './dom.js';
import { access } from './openapi_model.js';
import { buildRequest, curlLine, send, shownBody, isJson } from './playground_call.js';

// Spec descriptions are CommonMark; shown as text, keeping paragraphs, "- " lists and `code`
// spans (never parsed as HTML: every piece goes in as a text node).
const inline = (text) => text.replace(/\*\*/g, '').replace(/\s*\n\s*/g, ' ').trim().split('`')
  .map((part, i) => (i % 2 ? h('code', {}, part) : part));

export function prose(text) {
  const out = [];
  for (const block of String(text).split(/\n\s*\n/)) {
    // Lines before the first "- " are a paragraph; each "- " starts an item, and the lines
    // after it (until the next) continue that item.
    const [lead, ...items] = block.split(/^\s*- /m);
    if (lead.trim()) out.push(h('p', {}, inline(lead)));
    if (items.length) out.push(h('ul', {}, items.map((item) => h('li', {}, inline(item)))));
  }
  return out;
}

export const permissionText = (op) => (op.public ? 'public' : op.permissions ? op.permissions.join(' or ') : 'not stated');

function accessSentence(op, a, self) {
  const who = `your key (${self.name}, ${self.role})`;
  switch (a.state) {
    case 'public': return 'Public: no key needed, and none is sent.';
    case 'allowed': return `Needs ${permissionText(op)}: ${who} has it.`;
    case 'own': return `Needs ${permissionText(op)}: ${who} has it for its own automation (${self.automation_id}) only.`;
    case 'denied': return `Needs ${permissionText(op)}: ${who} does not have it. Not allowed: sending it answers 403.`;
    default: return 'The contract does not say which permission this needs.';
  }
}

const fieldId = (key) => `pg-${key.replace(/[^\w-]/g, '-')}`;

// One labelled input per parameter: a select for an enum (or a boolean), else a text input;
// prefilled with the spec's example or default.
function paramField(p, prefill) {
  const key = `${p.in}:${p.name}`;
  const id = fieldId(key);
  const helpId = `${id}-help`;
  const initial = prefill ?? (p.initial === undefined || p.initial === null ? '' : String(p.initial));
  const common = { id, name: key, 'aria-describedby': p.description ? helpId : null, required: p.required,
                   'aria-required': p.required ? 'true' : null };
  let control;
  if (p.enum) {
    control = h('select', common,
      p.required ? null : h('option', { value: '' }, '(not sent)'),
      p.enum.map((v) => h('option', { value: String(v), selected: String(v) === initial }, String(v))));
  } else {
    const s = p.schema;
    // A hint only where it says something ("integer, 1–1000"); "string" would not.
    const hint = s.type === 'string' && !s.format ? ''
      : [s.type && String(s.type), s.format, s.minimum !== undefined && s.maximum !== undefined ? `${s.minimum}–${s.maximum}` : null]
        .filter(Boolean).join(', ');
    control = h('input', { ...common, type: 'text', autocomplete: 'off', spellcheck: 'false', value: initial,
                           placeholder: hint || null, inputmode: s.type === 'integer' ? 'numeric' : null });
  }
  return {
    key, control,
    el: h('div', { class: 'pg-field' },
      h('label', { for: id }, h('code', {}, p.name), ' ',
        h('span', { class: 'pg-where' }, `(${p.in}${p.required ? ', required' : ''})`)),
      control,
      p.description ? h('div', { id: helpId, class: 'help' }, prose(p.description)) : null),
  };
}

// What the body editor starts with for one example of one media type.
function exampleText(type, value) {
  if (isJson(type)) return JSON.stringify(value ?? {}, null, 2);
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && /x-www-form-urlencoded/.test(type)) return new URLSearchParams(value).toString();
  return '';
}

function bodyFields(body) {
  let content = body.contents[0];
  const text = h('textarea', { id: 'pg-body', name: 'body', rows: '10', spellcheck: 'false', autocomplete: 'off',
                               'aria-describedby': 'pg-body-help pg-body-error', required: body.required });
  const error = h('div', { id: 'pg-body-error' });
  const examples = h('select', { id: 'pg-example' });
  const exampleField = h('div', { class: 'pg-field' }, h('label', { for: 'pg-example' }, 'Start from'), examples);
  const checked = h('p', {});
  // The examples of the chosen media type (the spec's own, then one built from the schema).
  const fillExamples = () => {
    examples.replaceChildren(...content.examples.map((ex, i) => h('option', { value: String(i) }, ex.summary)));
    exampleField.hidden = content.examples.length < 2;
    text.value = exampleText(content.type, content.examples[0]?.value);
    checked.textContent = [body.required ? '' : 'Leave it empty to send no body.',
                           isJson(content.type) ? 'Checked as JSON before it is sent.' : 'Sent as written.'].join(' ').trim();
  };
  const types = h('select', { id: 'pg-type', name: 'content-type',
    onchange: () => { content = body.contents[Number(types.value)]; fillExamples(); } },
    body.contents.map((c, i) => h('option', { value: String(i) }, c.type)));
  examples.addEventListener('change', () => {
    text.value = exampleText(content.type, content.examples[Number(examples.value)].value);
  });
  fillExamples();
  const el = h('fieldset', { class: 'pg-body' },
    h('legend', {}, 'Request body'),
    body.contents.length > 1 ? h('div', { class: 'pg-field' }, h('label', { for: 'pg-type' }, 'Content type'), types) : null,
    exampleField,
    h('div', { class: 'pg-field' },
      h('label', { for: 'pg-body' }, 'Body ', h('span', { class: 'pg-where' }, body.required ? '(required)' : '(optional)')),
      text,
      h('div', { id: 'pg-body-help', class: 'help' }, body.description ? prose(body.description) : null, checked)),
    error);
  return { el, text, error, type: () => content.type };
}

function statusClass(status) {
  if (status >= 200 && status < 300) return 'pg-ok';
  if (status >= 300 && status < 400) return 'pg-info';
  return 'pg-bad';
}

// The answer: status (number and words), time, the API's error message, headers, body.
function responseView(op, req, out) {
  const body = shownBody(out);
  const err = out.json && out.json.error && typeof out.json.error === 'object' ? out.json.error : null;
  const runId = out.json && typeof out.json.run_id === 'string' ? out.json.run_id
    : req.url.match(/\/runs\/(run_[\w-]+)/)?.[1];
  return [
    h('h3', { id: 'pg-res-title' }, 'Response'),
    h('p', { class: 'pg-status' },
      h('span', { id: 'pg-status-code', class: `pg-code ${statusClass(out.status)}` }, `${out.status} ${out.statusText}`.trim()),
      ' · ', h('span', { id: 'pg-time' }, `${Math.round(out.ms)} ms`),
      out.type ? [' · ', h('code', {}, out.type)] : null),
    err ? h('p', { id: 'pg-api-error', class: 'error', role: 'alert' },
      `${err.code ? `${err.code}: ` : ''}${err.message ?? ''}`, err.field ? ` (field ${err.field})` : '') : null,
    out.stream ? h('p', { id: 'pg-stream-note', class: 'help' },
      out.stream.ended ? 'The stream ended; all of it is below.'
        : 'This is a live stream (text/event-stream): below is only what came in the first seconds, then the page let go of it. ',
      !out.stream.ended && runId && canReadRuns() ? h('a', { href: `#/runs/${runId}` }, `Follow run ${runId} on its run page`) : null) : null,
    !out.stream && runId && canReadRuns() && out.status < 300 ? h('p', {}, h('a', { href: `#/runs/${runId}` }, `Open run ${runId}`)) : null,
    h('details', { class: 'pg-headers', open: true },
      h('summary', {}, `Headers (${out.headers.length})`),
      h('dl', { class: 'facts' }, out.headers.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
    h('h4', {}, 'Body'),
    body.text === '' ? h('p', { class: 'help' }, '(no body)')
      : h('pre', { id: 'pg-response-body', class: 'pg-pre', tabindex: '0', 'aria-label': 'Response body' }, body.text),
    body.cut ? h('p', { class: 'help' }, 'Cut here: the body is longer than the page shows. Copy as curl to get all of it.') : null,
  ];
}

// Copies `text`, or says why not and leaves it selected in the visible box.
async function copy(text, box, note) {
  const area = box.querySelector('textarea');
  box.hidden = false;
  area.value = text;
  // Tall enough for the whole command, wrapped lines included (CSSOM, which the CSP allows).
  area.style.height = 'auto';
  area.style.height = `${area.scrollHeight + 4}px`;
  try {
    if (!navigator.clipboard || !window.isSecureContext) throw new Error('no clipboard in this page (it needs https or localhost)');
    await navigator.clipboard.writeText(text);
    note.replaceChildren(h('p', { role: 'status' }, 'Copied to the clipboard. It is also below.'));
  } catch (e) {
    note.replaceChildren(h('p', { role: 'alert', class: 'pg-warn' },
      `The browser did not allow copying: ${e.message}. Select the command below and copy it yourself.`));
    area.focus();
    area.select();
  }
}

// The view of one operation; `state.controller` aborts a call in flight (page cleanup).
export function operationView(op, state) {
  const self = me();
  const a = access(op, can, self.automation_id);
  const fields = op.params.map((p) => paramField(p,
    a.state === 'own' && p.in === 'path' && p.name === 'id' ? self.automation_id : undefined));
  const body = op.body && op.body.contents.length ? bodyFields(op.body) : null;
  const problems = h('div', { id: 'pg-problems' });
  const response = h('section', { id: 'pg-response', class: 'pg-response', 'aria-labelledby': 'pg-res-title', hidden: true });
  const sendButton = h('button', { type: 'submit', id: 'pg-send' }, 'Send');
  const cancelButton = h('button', { type: 'button', class: 'secondary', hidden: true,
                                     onclick: () => state.controller?.abort() }, 'Cancel');
  const withKey = h('input', { type: 'checkbox', id: 'pg-with-key' });
  const curlNote = h('div', { id: 'pg-curl-note' });
  const curlBox = h('div', { class: 'pg-field', hidden: true },
    h('label', { for: 'pg-curl' }, 'curl command'),
    h('textarea', { id: 'pg-curl', readonly: true, spellcheck: 'false', rows: '6' }),
    h('p', { class: 'help' }, 'Without your real key it reads it from the environment: ',
      h('code', {}, 'export STEWARD_KEY=stw_…'), ' first.'));

  // The request from the form, or the problems shown next to it (and the first one focused).
  const build = () => {
    const values = Object.fromEntries(fields.map((f) => [f.key, f.control.value]));
    const req = buildRequest(op, values, body ? body.text.value : '', body ? body.type() : '',
                             { origin: location.origin, key: session.key() });
    for (const f of fields) f.control.removeAttribute('aria-invalid');
    body?.text.removeAttribute('aria-invalid');
    problems.replaceChildren();
    body?.error.replaceChildren();
    if (!req.problems) return req;
    for (const p of req.problems) {
      const control = p.field === 'body' ? body.text : fields.find((f) => f.key === p.field).control;
      control.setAttribute('aria-invalid', 'true');
    }
    const bodyProblem = req.problems.find((p) => p.field === 'body');
    if (bodyProblem) body.error.replaceChildren(errorText(bodyProblem.message));
    const others = req.problems.filter((p) => p.field !== 'body');
    if (others.length) problems.replaceChildren(h('div', { class: 'error', role: 'alert' }, others.map((p) => h('p', {}, p.message))));
    const first = req.problems[0];
    (first.field === 'body' ? body.text : fields.find((f) => f.key === first.field).control).focus();
    return null;
  };

  const form = h('form', { class: 'pg-form', novalidate: true, 'aria-labelledby': 'pg-op-title' },
    fields.length ? h('fieldset', {}, h('legend', {}, 'Parameters'), fields.map((f) => f.el)) : null,
    body ? body.el : null,
    problems,
    h('div', { class: 'pg-actions' },
      sendButton, cancelButton,
      h('button', { type: 'button', class: 'secondary', id: 'pg-copy',
        onclick: () => { const req = build(); if (req) copy(curlLine(req, { includeKey: withKey.checked }), curlBox, curlNote); } },
      'Copy as curl'),
      h('span', { class: 'pg-check' }, withKey, h('label', { for: 'pg-with-key' }, 'Put my real key in the curl line'))),
    curlNote, curlBox);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const req = build();
    if (!req) return;
    state.controller?.abort();
    const controller = new AbortController();
    state.controller = controller;
    sendButton.disabled = true;
    cancelButton.hidden = false;
    response.hidden = false;
    response.replaceChildren(h('h3', { id: 'pg-res-title' }, 'Response'), h('p', { role: 'status' }, `Sending ${op.method} ${op.path}…`));
    try {
      const out = await send(req, controller);
      if (state.controller !== controller) return;  // a newer call (or another page) took over
      response.replaceChildren(...responseView(op, req, out).filter(Boolean));
      announce(`${op.method} ${op.path}: ${out.status} ${out.statusText}`);
    } catch (err) {
      if (state.controller !== controller && err.name === 'AbortError') return;
      response.replaceChildren(h('h3', { id: 'pg-res-title' }, 'Response'),
        err.name === 'AbortError' ? h('p', { role: 'status' }, 'Cancelled before an answer came.')
          : errorText(`The request did not reach the daemon: ${err.message}`));
    } finally {
      if (state.controller === controller) {
        const lost = !document.activeElement || document.activeElement === document.body;
        state.controller = null;
        sendButton.disabled = false;
        cancelButton.hidden = true;
        if (lost) sendButton.focus();  // the disabled Send or the hidden Cancel had it
      }
    }
  });

  return h('article', { class: 'pg-op', 'data-op': op.id },
    h('p', { class: 'crumbs' }, op.tags.join(' · '), ' · ', h('code', {}, op.id)),
    h('h2', { id: 'pg-op-title', tabindex: '-1' }, h('span', { class: `method method-${op.method.toLowerCase()}` }, op.method), ' ',
      h('span', { class: 'pg-path' }, op.path)),
    op.summary ? h('p', { class: 'pg-summary-line' }, op.summary) : null,
    h('p', { id: 'pg-access', class: `pg-access-line access-${a.state}` }, accessSentence(op, a, self)),
    op.description ? h('div', { class: 'pg-description' }, prose(op.description)) : null,
    op.streams ? h('p', { class: 'help' }, 'This answers with a live stream: Send shows its first seconds only; the run page follows it to the end.') : null,
    h('details', { class: 'pg-answers' },
      h('summary', {}, `Answers in the contract (${op.responses.length})`),
      h('dl', { class: 'facts' }, op.responses.flatMap((r) => [h('dt', {}, r.code), h('dd', {}, prose(r.description || '—'))]))),
    form,
    response);
}
