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
