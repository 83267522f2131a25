// The audit log (admin only): GET /api/audit, newest first, with the filters the API has —
// actor (exact), action (a prefix), since, until — and paging by limit/offset. One entry more
// than the page is asked for, to know whether an older page exists.
import { api, can } from './api.js';
import { h, when, errorText } from './dom.js';

const PREFIXES = ['approval.', 'auth.', 'policy.', 'POST /api/keys', 'DELETE /api/keys', 'POST /api/automations',
                  'PUT /api/automations', 'DELETE /api/automations', 'POST /api/maintenance'];

// A status code or a word; 4xx/5xx and refusals read as failures.
function outcomeClass(outcome) {
  if (/^[45]\d\d$/.test(outcome) || ['rejected', 'denied', 'forbidden', 'expired', 'skipped'].includes(outcome)) return 'bad';
  if (/^[23]\d\d$/.test(outcome) || ['approved', 'done'].includes(outcome)) return 'ok';
  return 'other';
}

// A datetime-local value (the browser's time) as ISO 8601 UTC, which the API reads.
const isoOf = (value) => (value ? new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

export async function auditPage(main) {
  if (!can('admin')) {
    main.replaceChildren(h('h1', {}, 'Audit log'), h('p', {}, 'Only admin keys may read the audit log.'));
    return undefined;
  }
  const inputs = {
    actor: h('input', { id: 'audit-actor', name: 'actor', autocomplete: 'off', spellcheck: 'false' }),
    action: h('input', { id: 'audit-action', name: 'action', list: 'audit-actions', autocomplete: 'off', spellcheck: 'false',
                         'aria-describedby': 'audit-action-help' }),
    since: h('input', { id: 'audit-since', name: 'since', type: 'datetime-local' }),
    until: h('input', { id: 'audit-until', name: 'until', type: 'datetime-local' }),
  };
  const size = h('select', { id: 'audit-size', name: 'limit' }, [25, 50, 100, 200].map((n) => h('option', { value: n, selected: n === 50 }, n)));
  const error = h('div', { id: 'audit-error' });
  const body = h('tbody');
  const pageInfo = h('p', { id: 'audit-page', class: 'help', role: 'status' });
  const newer = h('button', { type: 'button', class: 'secondary' }, 'Newer');
  const older = h('button', { type: 'button', class: 'secondary' }, 'Older');
  let filters = {};
  let offset = 0;

  const load = async () => {
    const limit = Number(size.value);
    const q = new URLSearchParams({ ...filters, limit: String(limit + 1), offset: String(offset) });
    const page = await api('GET', `/api/audit?${q}`);
    const entries = page.entries.slice(0, limit);
    body.replaceChildren(...entries.map((e) => h('tr', { 'data-seq': e.seq },
      h('th', { scope: 'row', 'data-label': 'When' }, h('time', { datetime: new Date(e.at_ms).toISOString() }, when(e.at))),
      h('td', { 'data-label': 'Who' }, e.actor),
      h('td', { 'data-label': 'What' }, h('code', {}, e.action)),
      h('td', { 'data-label': 'Target', class: 'target' }, e.target),
      h('td', { 'data-label': 'Outcome' }, h('span', { class: `badge badge-outcome-${outcomeClass(e.outcome)}` }, e.outcome)),
      h('td', { 'data-label': 'Detail', class: 'detail' }, e.detail || '—'))));
    if (entries.length === 0) body.append(h('tr', {}, h('td', { colspan: 6 }, 'No entries match.')));
    pageInfo.textContent = entries.length ? `Entries ${offset + 1}–${offset + entries.length}, newest first.` : '';
    newer.disabled = offset === 0;
    older.disabled = page.entries.length <= limit;
  };
  // A filter the API refuses (a bad date) shows its message by the form; the input stays.
  const reload = async () => {
    try { await load(); error.replaceChildren(); } catch (err) { error.replaceChildren(errorText(err.message)); }
  };

  const form = h('form', { class: 'card audit-filters', 'aria-labelledby': 'audit-filter-title' },
    h('h2', { id: 'audit-filter-title' }, 'Filter'),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'audit-actor' }, 'Who (key name, exactly)'), inputs.actor),
      h('div', { class: 'field' }, h('label', { for: 'audit-action' }, 'What (starts with)'), inputs.action,
        h('p', { id: 'audit-action-help', class: 'help' }, 'e.g. approval. or POST /api/keys')),
      h('datalist', { id: 'audit-actions' }, PREFIXES.map((p) => h('option', { value: p })))),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'audit-since' }, 'From (your time)'), inputs.since),
      h('div', { class: 'field' }, h('label', { for: 'audit-until' }, 'Until (your time)'), inputs.until),
      h('div', { class: 'field' }, h('label', { for: 'audit-size' }, 'Per page'), size)),
    error,
    h('div', { class: 'buttons' },
      h('button', { type: 'submit' }, 'Apply'),
      h('button', { type: 'button', class: 'secondary', onclick: () => { form.reset(); filters = {}; offset = 0; reload(); } }, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    filters = {};
    for (const k of ['actor', 'action']) if (inputs[k].value.trim()) filters[k] = inputs[k].value.trim();
    for (const k of ['since', 'until']) if (inputs[k].value) filters[k] = isoOf(inputs[k].value);
    offset = 0;
    reload();
  });
  size.addEventListener('change', () => { offset = 0; reload(); });
  newer.addEventListener('click', () => { offset = Math.max(0, offset - Number(size.value)); reload(); });
  older.addEventListener('click', () => { offset += Number(size.value); reload(); });

  await load();
  // One wrapper: this page's styles are scoped to it (style.css, "approvals, maintenance, keys, audit").
  main.replaceChildren(h('div', { class: 'pg-audit' },
    h('h1', {}, 'Audit log'),
    h('p', { class: 'help' }, 'Every change, refused request, approval decision and policy decision, newest first.'),
    form,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack audit-table' },
      h('caption', { class: 'visually-hidden' }, 'Audit log entries, newest first'),
      h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'Target', 'Outcome', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      body)),
    h('nav', { class: 'pager', 'aria-label': 'Audit log pages' }, newer, pageInfo, older)));
  return undefined;
}
