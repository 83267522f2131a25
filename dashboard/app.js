// The dashboard's entry point: sign-in, the header with its menu, and the hash router.
// Pages are modules exporting page(main, ...params); each returns an optional cleanup
// function (the run page closes its live stream with it, polling pages stop their timers).
import { ApiError, session, loadSelf, me, forget, can, KEY_REFUSED } from './api.js';
import { h, announce, errorText } from './dom.js';
import { automationsPage, historyPage } from './automations.js';
import { automationFormPage } from './automation_form.js';
import { runPage } from './run.js';
import { templatesPage } from './templates.js';
import { approvalsPage } from './approvals.js';
import { maintenancePage } from './maintenance.js';
import { devicesPage, devicePage } from './devices.js';
import { groupsPage } from './groups.js';
import { pluginsPage } from './plugins.js';
import { keysPage } from './keys.js';
import { auditPage } from './audit.js';
import { playgroundPage } from './playground.js';

const main = document.getElementById('main');
let cleanup = null;

// Most specific first: "#/automations/new" before "#/automations/ID".
const routes = [
  [/^#?\/?$/, automationsPage],
  [/^#\/automations\/new$/, automationFormPage],   // no id: a new one
  [/^#\/automations\/([\w-]+)\/edit$/, automationFormPage],
  [/^#\/automations\/([\w-]+)$/, historyPage],
  [/^#\/runs\/([\w-]+)$/, runPage],
  [/^#\/templates$/, templatesPage],
  [/^#\/approvals$/, approvalsPage],
  [/^#\/maintenance$/, maintenancePage],
  [/^#\/devices$/, devicesPage],
  [/^#\/devices\/([\w-]+)$/, devicePage],
  [/^#\/groups$/, groupsPage],
  [/^#\/plugins$/, pluginsPage],
  [/^#\/keys$/, keysPage],
  [/^#\/audit$/, auditPage],
  [/^#\/playground$/, playgroundPage],
  [/^#\/playground\/([\w.-]+)$/, playgroundPage],   // one operation, by its operationId
];

// The menu: an entry shows only when the key holds one of its permissions (none: any key).
const menu = [
  ['#/', 'Automations', ['history', 'scenario:history', 'scenario:run', 'run']],
  ['#/templates', 'Templates', ['history']],
  ['#/approvals', 'Approvals', ['act:read', 'act:approve']],
  ['#/maintenance', 'Maintenance', ['history']],
  ['#/devices', 'Devices', ['devices:read']],
  ['#/groups', 'Groups', ['devices:read']],
  ['#/plugins', 'Plugins', ['history']],
  ['#/keys', 'Keys', ['admin']],
  ['#/audit', 'Audit', ['admin']],
  ['#/playground', 'API', []],
];

function buildMenu() {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...menu
    .filter(([, , perms]) => perms.length === 0 || perms.some(can))
    .map(([href, text]) => h('a', { href }, text)));
  markCurrent();
}

// aria-current on the menu entry of the page shown (the first path segment decides).
function markCurrent() {
  const section = (location.hash || '#/').split('/')[1] || '';
  for (const a of document.querySelectorAll('#nav a')) {
    const own = a.getAttribute('href').split('/')[1] || '';
    if (own === section || (own === '' && ['automations', 'runs'].includes(section))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function signInPage(message) {
  const input = h('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true,
                             spellcheck: 'false', 'aria-describedby': 'key-help' + (message ? ' sign-in-error' : '') });
  const form = h('form', { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('label', { for: 'key' }, 'API key'),
    input,
    h('p', { id: 'key-help', class: 'help' },
      'The key printed at the first start, or one from ', h('code', {}, 'steward keys create'),
      '. It is kept in this tab only (session storage) and sent only to this daemon.'),
    message ? h('p', { id: 'sign-in-error', class: 'error', role: 'alert' }, message) : null,
    h('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    try {
      await loadSelf(key);
      session.set(key);
      showSignedIn();
      announce(`Signed in as ${me().name}`);
      route();
    } catch (err) {
      const text = err instanceof ApiError && err.status === 401
        ? 'This key was refused: it is unknown, revoked or expired. Check that you copied all of it.'
        : `Could not sign in: ${err.message}`;
      main.replaceChildren(signInPage(text));
      document.getElementById('key').focus();
    }
  });
  return form;
}

function showSignedIn() {
  const self = me();
  buildMenu();
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent =
    `${self.name} (${self.role}${self.automation_id ? `, ${self.automation_id}` : ''})`;
}

function signOut(message) {
  session.clear();
  forget();
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  if (cleanup) { cleanup(); cleanup = null; }
  main.replaceChildren(signInPage(message));
  document.getElementById('key').focus();
}

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  if (!me()) return;
  markCurrent();
  const hash = location.hash || '#/';
  for (const [pattern, page] of routes) {
    const m = hash.match(pattern);
    if (!m) continue;
    try {
      cleanup = (await page(main, ...m.slice(1))) || null;
    } catch (err) {
      // A key revoked while signed in: back to the sign-in form, saying why.
      if (err instanceof ApiError && err.status === 401) return signOut('The key stopped working (revoked or expired). Sign in again.');
      main.replaceChildren(errorText(err.message));
      // A fault of the page itself (not an answer of the API) also goes to the console,
      // where the browser tests see it.
      if (!(err instanceof ApiError)) console.error(err);
    }
    main.focus();
    return;
  }
  main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the automations')));
}

async function start() {
  document.getElementById('sign-out').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', route);
  // A background refresh (devices, approvals) meets a revoked key: back to sign-in at once.
  window.addEventListener(KEY_REFUSED, () => { if (me()) signOut('The key stopped working (revoked or expired). Sign in again.'); });
  const key = session.key();
  if (!key) return signOut();
  try {
    await loadSelf(key);
  } catch (err) {
    return signOut(err instanceof ApiError && err.status === 401 ? 'The saved key was refused. Sign in again.' : err.message);
  }
  showSignedIn();
  route();
}

start();
