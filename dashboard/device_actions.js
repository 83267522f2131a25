// A device's status in words, and what a `devices:write` key can do to it — approve, block,
// revoke its token, delete it — as buttons, shared by the device list and the device page. The
// irreversible ones (revoke, delete) ask first (confirmButton).
import { api, can } from './api.js';
import { h, announce, badge, confirmButton } from './dom.js';

// "approved · online": the approval status and the connection, both as words.
export function deviceState(d) {
  return h('span', { class: 'device-state' }, badge(d.status), ' ', badge(d.online ? 'online' : 'offline'));
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
      label: 'Revoke token', ariaLabel: `Revoke the token of ${d.name}`, actionId: 'revoke', onOpen,
      question: `Revoke the token of ${d.name}? It must pair again.`, yes: 'Revoke',
      action: call('POST', `${base}/revoke-token`, `The token of ${d.name} was revoked`) }));
  }
  buttons.push(confirmButton({
    label: 'Delete', ariaLabel: `Delete ${d.name}`, actionId: 'delete', onOpen,
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
