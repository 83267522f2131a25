// API keys (admin only): the list (never the secrets), create — the new secret is shown
// once, with a copy button — and revoke, confirmed in place. docs/approvals-and-keys.md.
import { api, can, me } from './api.js';
import { h, when, announce, errorText, confirmButton } from './dom.js';

const ROLES = [
  ['view-only', 'view-only — reads automations, runs, the queue, devices'],
  ['single-task', 'single-task — runs and reads one automation'],
  ['full-access', 'full-access — everything but keys and the audit log'],
  ['admin', 'admin — everything'],
];

function keyState(k, now) {
  if (k.revoked) return ['revoked', `revoked ${when(k.revoked)}`];
  if (k.expires && k.expires <= now) return ['expired', `expired ${when(k.expires)}`];
  return ['active', 'active'];
}

// Copies through the Clipboard API where the page may (a secure context: https or
// localhost); otherwise selects the text and uses the older copy command.
async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    input.select();
    return document.execCommand('copy');
  }
}

function createdPanel(created, onDone) {
  const secret = h('input', { id: 'new-key', readonly: true, value: created.key, spellcheck: 'false', autocomplete: 'off',
                              'aria-describedby': 'new-key-warning' });
  const copied = h('p', { role: 'status', class: 'help' });
  const done = h('button', { type: 'button', class: 'secondary', onclick: onDone }, 'Done, hide the key');
  const panel = h('section', { class: 'card new-key', 'aria-labelledby': 'new-key-title' },
    h('h2', { id: 'new-key-title' }, `New key for ${created.name} (${created.role})`),
    h('p', { id: 'new-key-warning', class: 'warning' },
      h('strong', {}, 'It is shown only now. '), 'Copy it and keep it safe: Steward stores only its hash, and this page will not show it again.'),
    h('label', { for: 'new-key' }, 'The key'),
    h('div', { class: 'copy-row' }, secret,
      h('button', { type: 'button', onclick: async () => {
        copied.textContent = (await copyText(secret)) ? 'Copied to the clipboard.' : 'Could not copy: select the key and copy it by hand.';
      } }, 'Copy')),
    copied,
    done);
  return panel;
}

function createForm(automations, onCreated) {
  const name = h('input', { id: 'key-name', name: 'name', maxlength: 200, autocomplete: 'off' });
  const role = h('select', { id: 'key-role', name: 'role' }, ROLES.map(([v, t]) => h('option', { value: v }, t)));
  const automation = h('select', { id: 'key-automation', name: 'automation_id' },
    h('option', { value: '' }, '— choose —'), automations.map((a) => h('option', { value: a.id }, `${a.name} (${a.id})`)));
  const automationField = h('div', { class: 'field', hidden: true },
    h('label', { for: 'key-automation' }, 'Automation (single-task keys only)'), automation);
  const days = h('input', { id: 'key-expires', name: 'expires_in', type: 'number', min: 1, max: 3660, step: 1,
                            inputmode: 'numeric', 'aria-describedby': 'key-expires-help' });
  const error = h('div', { id: 'key-error' });
  role.addEventListener('change', () => { automationField.hidden = role.value !== 'single-task'; });

  const form = h('form', { class: 'card key-form', 'aria-labelledby': 'key-form-title', novalidate: true },
    h('h2', { id: 'key-form-title' }, 'Create a key'),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'key-name' }, 'Name (who holds it)'), name),
      h('div', { class: 'field' }, h('label', { for: 'key-role' }, 'Role'), role),
      h('div', { class: 'field' }, h('label', { for: 'key-expires' }, 'Expires after (days, optional)'), days,
        h('p', { id: 'key-expires-help', class: 'help' }, 'Empty: the key never expires.'))),
    automationField,
    error,
    h('div', { class: 'buttons' }, h('button', { type: 'submit' }, 'Create key')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.replaceChildren();
    const body = { name: name.value.trim(), role: role.value };
    if (role.value === 'single-task') body.automation_id = automation.value || null;
    if (days.value !== '') body.expires_in = Math.round(Number(days.value) * 86400);
    try {
      const created = await api('POST', '/api/keys', body);
      form.reset();
      automationField.hidden = true;
      onCreated(created);
    } catch (err) {
      // The input stays as typed; the API's message says what to fix.
      error.replaceChildren(errorText(err.message));
    }
  });
  return form;
}

export async function keysPage(main) {
  if (!can('admin')) {
    main.replaceChildren(h('h1', {}, 'Keys'), h('p', {}, 'Only admin keys may list and create keys.'));
    return undefined;
  }
  const body = h('tbody');
  const feedback = h('div');
  const newKeySlot = h('div');
  const head = h('tr');
  let automations = [];

  const say = (text) => { feedback.replaceChildren(h('p', { role: 'status' }, text)); announce(text); };
  // Revoking this page's own key: the API answers the next request with 401, which signs out
  // (api.js).
  const fail = (err) => feedback.replaceChildren(errorText(err.message));

  const revokeButton = (k) => confirmButton({
    label: 'Revoke', ariaLabel: `Revoke ${k.name} (${k.id})`, yes: `Yes, revoke ${k.name}`,
    question: k.id === me().id ? 'This is the key you are signed in with: revoking it signs you out. Revoke?'
                               : `Revoke ${k.name}? It stops working at once.`,
    action: async () => {
      try {
        await api('DELETE', `/api/keys/${k.id}`);
        say(`Revoked ${k.name} (${k.id}).`);
        await refresh();
      } catch (err) { fail(err); }
    },
  });

  // "Last used" is shown when the API reports it (the key list has no such field yet).
  let lastUsed = false;
  function row(k, now) {
    const [state, stateText] = keyState(k, now);
    const cell = h('td', { 'data-label': 'Actions' });
    cell.append(state === 'active' ? revokeButton(k) : '—');
    const bound = k.automation_id ? automations.find((a) => a.id === k.automation_id)?.name ?? k.automation_id : null;
    return h('tr', { 'data-id': k.id, 'data-state': state },
      h('th', { scope: 'row', 'data-label': 'Name' }, k.name, k.id === me().id ? h('span', { class: 'muted' }, ' (this key)') : null,
        h('br'), h('code', { class: 'muted' }, k.id)),
      h('td', { 'data-label': 'Role' }, k.role),
      h('td', { 'data-label': 'Automation' }, bound ? h('a', { href: `#/automations/${k.automation_id}` }, bound) : '—'),
      h('td', { 'data-label': 'Created' }, when(k.created)),
      lastUsed ? h('td', { 'data-label': 'Last used' }, k.last_used ? when(k.last_used) : 'never') : null,
      h('td', { 'data-label': 'Expires' }, k.expires ? when(k.expires) : 'never'),
      h('td', { 'data-label': 'State', class: 'key-state' }, h('span', { class: `badge badge-key-${state}` }, stateText)),
      cell);
  }

  async function refresh() {
    const [list, autos] = await Promise.all([api('GET', '/api/keys'), api('GET', '/api/automations')]);
    automations = autos;
    lastUsed = list.keys.some((k) => 'last_used' in k);
    head.replaceChildren(...['Name', 'Role', 'Automation', 'Created', ...(lastUsed ? ['Last used'] : []), 'Expires', 'State', 'Actions']
      .map((t) => h('th', { scope: 'col' }, t)));
    const now = Date.now() / 1000;
    // Newest first: the key just made is at the top, next to the form.
    body.replaceChildren(...list.keys.slice().sort((a, b) => b.created - a.created).map((k) => row(k, now)));
  }

  await refresh();
  const form = createForm(automations, async (created) => {
    newKeySlot.replaceChildren(createdPanel(created, () => { newKeySlot.replaceChildren(); form.querySelector('input').focus(); }));
    announce(`Key created for ${created.name}. It is shown only now.`);
    newKeySlot.querySelector('#new-key').focus();
    newKeySlot.querySelector('#new-key').select();
    await refresh();
  });
  // One wrapper: this page's styles are scoped to it (style.css, "approvals, maintenance, keys, audit").
  main.replaceChildren(h('div', { class: 'pg-keys' },
    h('h1', {}, 'API keys'),
    h('p', { class: 'help' }, 'Each key has a name (who holds it: the approval gate and the audit log know people by it) and a role. The secrets are never listed.'),
    form,
    newKeySlot,
    feedback,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack keys-table' },
      h('caption', { class: 'visually-hidden' }, 'API keys, newest first'),
      h('thead', {}, head),
      body))));
  return undefined;
}
