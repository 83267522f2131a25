// A device's status in words, and what a `devices:write` key can do to it — approve, block,
// revoke its token, delete it — as buttons, shared by the device list and the device page. The irreversible ones
// (revoke, delete) ask first, in place: the button turns into a question with a confirming
// button (focused) and Cancel; no window.confirm, which screen readers and tests handle badly.
import { api, can } from './api.js';
import { h, announce, badge } from './dom.js';

// "approved · online": the approval status and the connection, both as words.
export function deviceState(d) {
  return h('span', { class: 'device-state' }, badge(d.status), ' ', badge(d.online ? 'online' : 'offline'));
}

// A button that asks before acting. `onOpen(true|false)` tells the page that a question is
// open (the list pauses its refresh meanwhile, so the question is not redrawn away).
export function confirmButton({ label, ariaLabel, question, yes, action, onOpen = () => {}, action_id }) {
  const box = h('span', { class: 'confirm' });
  const first = h('button', { type: 'button', class: 'secondary danger', 'aria-label': ariaLabel, 'data-action': action_id,
                              onclick: () => ask() }, label);
  const ask = () => {
    onOpen(true);
    const ok = h('button', { type: 'button', class: 'danger-solid', 'data-action': `${action_id}-confirm`,
                             onclick: async () => { onOpen(false); await action(); } }, yes);
    const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => {
      onOpen(false);
      box.replaceChildren(first);
      first.focus();
    } }, 'Cancel');
    box.replaceChildren(h('span', { class: 'question' }, question), ' ', ok, ' ', cancel);
    ok.focus();
  };
  box.append(first);
  return box;
}

// The buttons that fit the device's status. `done(message)` is called after a change
// (the page reloads what it shows); `fail(err)` shows the API's error.
export function deviceActions(d, { done, fail, onOpen, afterDelete }) {
  if (!can('devices:write')) return null;
  const call = (method, path, message) => async () => {
    try {
      await api(method, path);
      announce(message);
      await done(message);
    } catch (err) { fail(err); }
  };
  const base = `/api/devices/${encodeURIComponent(d.id)}`;
  const buttons = [];
  if (d.status === 'pending' || d.status === 'blocked') {
    buttons.push(h('button', { type: 'button', 'data-action': 'approve', 'aria-label': `Approve ${d.name}`,
                               onclick: call('POST', `${base}/approve`, `${d.name} approved`) }, 'Approve'));
  }
  if (d.status === 'pending' || d.status === 'approved') {
    buttons.push(h('button', { type: 'button', class: 'secondary', 'data-action': 'block', 'aria-label': `Block ${d.name}`,
                               onclick: call('POST', `${base}/block`, `${d.name} blocked`) }, 'Block'));
  }
  if (d.status !== 'revoked') {
    buttons.push(confirmButton({
      label: 'Revoke token', ariaLabel: `Revoke the token of ${d.name}`, action_id: 'revoke', onOpen,
      question: `Revoke the token of ${d.name}? It must pair again.`, yes: 'Revoke',
      action: call('POST', `${base}/revoke-token`, `The token of ${d.name} was revoked`) }));
  }
  buttons.push(confirmButton({
    label: 'Delete', ariaLabel: `Delete ${d.name}`, action_id: 'delete', onOpen,
    question: `Delete ${d.name} with its executions?`, yes: 'Delete',
    action: async () => {
      try {
        await api('DELETE', base);
        announce(`${d.name} deleted`);
        await (afterDelete || done)(`${d.name} deleted`);
      } catch (err) { fail(err); }
    } }));
  return h('div', { class: 'actions' }, buttons);
}
