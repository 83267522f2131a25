// A tool call to send to a device or a group: the tool, its args and a timeout. The args are
// the form built from the tool's JSON Schema (schema_form.js, as for automation params) or,
// at the user's choice, one JSON object. Also the view of one execution's result.
import { h, badge, duration, whenIso, errorText } from './dom.js';
import { schemaForm } from './schema_form.js';

const propertiesOf = (schema) =>
  (schema && typeof schema === 'object' && schema.properties && typeof schema.properties === 'object' ? schema.properties : {});

function parseArgs(text) {
  if (text.trim() === '') return {};
  let v;
  try { v = JSON.parse(text); } catch (e) { throw new Error(`The args are not valid JSON: ${e.message}`); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('The args must be a JSON object, like {"command": "uptime"}.');
  return v;
}

// tools: [{name, args_schema?}]; id: a prefix for the element ids (one page may hold several
// forms); extra: {element, read()} for more fields; onSubmit({tool, args, timeout, ...}) may
// throw: its message (the API's) is shown next to the form, and the input stays.
export function toolCallForm({ id, tools, label, submitLabel = 'Execute', onSubmit, extra = null, disabledReason = null }) {
  // bash first when there is one: the tool most calls are for.
  const toolSelect = h('select', { id: `${id}-tool`, required: true },
    tools.map((t) => h('option', { value: t.name, selected: t.name === 'bash' }, t.name)));
  const asJson = h('input', { type: 'checkbox', id: `${id}-as-json` });
  const modeLine = h('p', { class: 'mode' }, asJson, ' ', h('label', { for: asJson.id }, 'Write the args as JSON'));
  const fieldsBox = h('div', { class: 'arg-fields' });
  const jsonArea = h('textarea', { id: `${id}-json`, rows: 4, spellcheck: 'false', class: 'json', 'aria-describedby': `${id}-json-help` });
  const jsonBox = h('div', { class: 'arg-json' },
    h('label', { for: jsonArea.id }, 'Args (a JSON object)'), jsonArea,
    h('p', { id: `${id}-json-help`, class: 'help' }, 'For example {"command": "uptime"}. Empty: no args.'));
  const argsSet = h('fieldset', { class: 'args' }, h('legend', {}, 'Args'), modeLine, fieldsBox, jsonBox);
  const timeout = h('input', { id: `${id}-timeout`, type: 'number', min: 1, max: 86400, value: 60, required: true, class: 'short' });
  const error = h('div', { class: 'form-error' });
  const submit = h('button', { type: 'submit', 'aria-describedby': `${id}-why` }, submitLabel);
  const why = h('p', { id: `${id}-why`, class: 'help' });
  let args = null;   // the chosen tool's schema form; null: the tool has no properties, JSON only
  const schemaOf = () => tools.find((t) => t.name === toolSelect.value)?.args_schema;

  const showError = (message) => error.replaceChildren(errorText(message));
  // The hidden half is also disabled: the browser then neither validates nor submits it.
  const setMode = (json) => {
    asJson.checked = json;
    fieldsBox.hidden = json;
    jsonBox.hidden = !json;
    for (const el of fieldsBox.querySelectorAll('input, select, textarea')) el.disabled = json;
    jsonArea.disabled = !json;
  };
  // The form's args; with `strict`, a missing or unreadable field is an error (on submit),
  // else what can be read (switching to JSON keeps the user's input).
  const readFields = (strict) => {
    const { value, errors } = args.read();
    if (strict && errors.length) throw new Error(errors[0].message);
    return value;
  };
  // The form for the chosen tool, filled with `value`.
  const showTool = (value = {}) => {
    const schema = schemaOf();
    args = Object.keys(propertiesOf(schema)).length ? schemaForm(schema, value, { path: 'args' }) : null;
    fieldsBox.replaceChildren(...(args ? [args.el] : []));
    modeLine.hidden = !args;
    setMode(!args || asJson.checked);
  };
  toolSelect.addEventListener('change', () => showTool());
  asJson.addEventListener('change', () => {
    error.replaceChildren();
    try {
      if (asJson.checked) jsonArea.value = JSON.stringify(readFields(false), null, 2);
      else {
        const v = parseArgs(jsonArea.value);
        const known = propertiesOf(schemaOf());
        const unknown = Object.keys(v).filter((k) => !(k in known));
        if (unknown.length) throw new Error(`${unknown.join(', ')}: not a field of the form; keep writing JSON.`);
        showTool(v);
      }
      setMode(asJson.checked);
    } catch (err) {
      asJson.checked = !asJson.checked;
      showError(err.message);
    }
  });

  const form = h('form', { class: 'card tool-call', 'aria-label': label },
    h('div', { class: 'field' }, h('label', { for: toolSelect.id }, 'Tool'), toolSelect),
    argsSet,
    h('div', { class: 'field' }, h('label', { for: timeout.id }, 'Timeout (seconds)'), timeout),
    extra ? extra.element : null,
    why,
    h('p', {}, submit),
    error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    let call;
    try {
      call = { tool: toolSelect.value, args: asJson.checked ? parseArgs(jsonArea.value) : readFields(true),
               timeout: Number(timeout.value), ...(extra ? extra.read() : {}) };
    } catch (err) { return showError(err.message); }
    const text = submit.textContent;
    submit.disabled = true;
    submit.textContent = 'Running…';
    try {
      await onSubmit(call);
    } catch (err) {
      showError(err.message);
    } finally {
      submit.disabled = !!blocked;
      submit.textContent = text;
    }
  });
  // Why the form cannot be sent now (a device not approved), or null: it can.
  let blocked = null;
  form.setDisabledReason = (reason) => {
    blocked = reason;
    submit.disabled = !!reason;
    why.textContent = reason || '';
    why.hidden = !reason;
  };
  form.setDisabledReason(disabledReason);
  showTool();
  return form;
}

// One execution: status, exit code, duration, error and output.
export function executionView(e) {
  const facts = [badge(e.status), ' ', e.tool];
  if (e.exit_code !== null && e.exit_code !== undefined) facts.push(` · exit code ${e.exit_code}`);
  if (e.duration_ms !== null && e.duration_ms !== undefined) facts.push(` · ${duration(e.duration_ms / 1000)}`);
  return h('div', { class: 'execution', 'data-execution': e.execution_id },
    h('p', { class: 'execution-facts' }, facts),
    e.error ? h('p', { class: 'execution-error' }, `Error: ${e.error}`) : null,
    e.status === 'queued' ? h('p', {}, `The device is offline: queued until ${whenIso(e.expires_at)}, sent when it connects.`) : null,
    e.output !== undefined ? h('pre', { class: 'output', tabindex: '0', 'aria-label': `Output of ${e.tool}` }, e.output || '(no output)') : null,
    e.output_truncated ? h('p', { class: 'help' }, 'The output reached the daemon\'s limit; the rest was dropped.') : null);
}
