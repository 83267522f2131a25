// The API playground (#/playground, #/playground/<operationId>): every operation of this
// daemon's own contract (GET /api/openapi.json), searchable and grouped by tag, each marked
// with the permissions it needs and whether the signed-in key holds one; picking one opens
// its form (playground_op.js) to send it with the key or copy it as curl.
import { api, can, me } from './api.js';
import { h, errorText } from './dom.js';
import { operations, groupByTag, access } from './openapi_model.js';
import { operationView, permissionText } from './playground_op.js';

// The document is built into the binary and does not change while the daemon runs: read it
// once per page load (a reload reads it again, e.g. after an upgrade).
let specPromise = null;
function loadSpec() {
  if (!specPromise) specPromise = api('GET', '/api/openapi.json').catch((err) => { specPromise = null; throw err; });
  return specPromise;
}

const opHref = (op) => `#/playground/${encodeURIComponent(op.id)}`;

export async function playgroundPage(main, opId) {
  const spec = await loadSpec();
  const ops = operations(spec);
  const self = me();
  const state = { controller: null };
  const detail = h('div', { class: 'pg-detail' });
  const links = new Map();

  const pick = (op, { push = false, focus = false } = {}) => {
    state.controller?.abort();
    for (const [id, link] of links) {
      if (id === op.id) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
    detail.replaceChildren(operationView(op, state));
    // The address names the operation (a link to share, a reload that comes back here)
    // without a hashchange, which would rebuild the whole page.
    if (push) history.pushState(null, '', opHref(op));
    if (focus) document.getElementById('pg-op-title').focus();
  };

  const items = [];
  const groups = groupByTag(spec, ops).map((g) => {
    const lis = g.ops.map((op) => {
      const a = access(op, can, self.automation_id);
      const link = h('a', {
        href: opHref(op), class: `pg-item access-${a.state}`, 'data-op': op.id,
        onclick: (e) => {
          if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;  // new tab: the link as is
          e.preventDefault();
          pick(op, { push: true, focus: true });
        },
      },
      h('span', { class: `method method-${op.method.toLowerCase()}` }, op.method), ' ',
      h('span', { class: 'pg-path' }, op.path), ' ',
      h('span', { class: 'pg-summary' }, op.summary), ' ',
      h('span', { class: 'pg-access' }, op.public ? 'public' : `${permissionText(op)}: `,
        op.public ? null : h('strong', {}, a.text)));
      links.set(op.id, link);
      const li = h('li', {}, link);
      li.dataset.search = [op.method, op.path, op.summary, op.id, ...op.tags].join(' ').toLowerCase();
      items.push(li);
      return li;
    });
    return h('section', { class: 'pg-group', 'aria-labelledby': `pg-tag-${g.tag}` },
      h('h2', { id: `pg-tag-${g.tag}`, title: g.description || null }, g.tag),
      h('ul', {}, lis));
  });

  const count = h('p', { id: 'pg-count', class: 'help', 'aria-live': 'polite' });
  const search = h('input', { id: 'pg-search', type: 'search', autocomplete: 'off', spellcheck: 'false',
                              'aria-describedby': 'pg-count', 'aria-controls': 'pg-ops' });
  const filter = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const li of items) {
      li.hidden = !words.every((w) => li.dataset.search.includes(w));
      if (!li.hidden) shown += 1;
    }
    for (const g of groups) g.hidden = !g.querySelector('li:not([hidden])');
    count.textContent = `${shown} of ${ops.length} operations shown`;
  };
  search.addEventListener('input', filter);
  filter();

  const wanted = opId ? ops.find((op) => op.id === decodeURIComponent(opId)) : null;
  if (wanted) pick(wanted);
  else {
    detail.replaceChildren(h('div', {},
      opId ? errorText(`This daemon's API has no operation "${decodeURIComponent(opId)}".`) : null,
      h('p', { class: 'pg-empty' }, 'Pick an operation from the list to read its contract and try it.')));
  }

  main.replaceChildren(
    h('h1', {}, 'API playground'),
    h('p', { class: 'pg-intro' },
      'Every operation of this daemon\'s API, read from its own contract (', h('code', {}, 'GET /api/openapi.json'),
      `, version ${spec.info?.version ?? '?'}). Pick one, fill it in, and send it with your key (${self.name}, ${self.role}), `,
      'or copy the same call as curl. Calls are real: what you create, change or delete here is done.'),
    h('div', { class: 'pg' },
      h('nav', { class: 'pg-list', 'aria-label': 'Operations' },
        h('label', { for: 'pg-search' }, 'Search operations'),
        search, count,
        h('div', { id: 'pg-ops', class: 'pg-ops' }, groups)),
      detail));
  // A deep-linked operation is scrolled into view inside the list only, not the window.
  const current = links.get(wanted?.id);
  if (current) current.closest('.pg-ops').scrollTop = current.offsetTop - 48;
  return () => state.controller?.abort();
}
