// Builds elements from data without innerHTML: every text from the API (names, output) goes
// in as a text node, so nothing a run prints can become markup or script.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A message in the page that screen readers announce at once (an API error, mostly).
export const errorText = (message) => h('p', { class: 'error', role: 'alert' }, message);

// Unix seconds as a local date-time, or a dash.
export function when(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  return new Date(seconds * 1000).toLocaleString();
}

// A duration in seconds as "1 min 5 s" / "3.2 s".
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

// A status as a badge: the word is always shown, colour only adds to it.
export function badge(status) {
  const s = status ?? 'never run';
  return h('span', { class: `badge badge-${String(s).replace(/[^a-z_]/g, '')}` }, s);
}

// Tells screen readers what just happened (the live region in index.html).
export function announce(text) {
  const region = document.getElementById('status');
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

// An ISO 8601 time from the API (devices, groups) as a local date-time, or a dash.
export function whenIso(iso) {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? String(iso) : new Date(t).toLocaleString();
}

// A button for an irreversible action that asks first, in place: it turns into the question
// (a labelled group), the confirming button (focused) and a way back. No window.confirm,
// which screen readers and tests handle badly. `onOpen(true|false)` tells a page that
// refreshes itself that a question is open (so it is not redrawn away meanwhile); `action`
// shows its own errors.
let confirmSerial = 0;
export function confirmButton({ label, ariaLabel, question, yes, no = 'Cancel', action, onOpen = () => {}, actionId }) {
  const box = h('span', { class: 'confirm-box' });
  const first = h('button', { type: 'button', class: 'danger', 'aria-label': ariaLabel, 'data-action': actionId,
                              onclick: () => ask() }, label);
  const back = () => {
    onOpen(false);
    box.replaceChildren(first);
    first.focus();
  };
  const ask = () => {
    onOpen(true);
    const id = `confirm-${++confirmSerial}`;
    const ok = h('button', { type: 'button', class: 'danger-solid', 'data-action': actionId && `${actionId}-confirm`,
                             onclick: async () => {
                               ok.disabled = true;
                               onOpen(false);
                               try { await action(); } finally { ok.disabled = false; }
                             } }, yes);
    box.replaceChildren(h('span', { class: 'confirm', role: 'group', 'aria-labelledby': id },
      h('span', { id, class: 'question' }, question), ok, h('button', { type: 'button', class: 'secondary', onclick: back }, no)));
    ok.focus();
  };
  box.append(first);
  return box;
}
