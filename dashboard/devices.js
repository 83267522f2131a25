// The device list, 50 devices a page: status in words, name, platform, last seen and a health
// sparkline per device, refreshed every few seconds; pairing and the approve/block/revoke/
// delete buttons for keys with `devices:write`. One device's page is device_page.js.
import { api, can } from './api.js';
import { h, whenIso, errorText } from './dom.js';
import { healthHistories, healthCharts } from './sparkline.js';
import { deviceActions, deviceState } from './device_actions.js';
import { pairingPanel } from './device_pairing.js';

export { devicePage } from './device_page.js';

// The list is cheap and shows a newly paired device quickly; the page's health histories are
// one more request (for all its devices), fetched again only when older than HISTORY_MS
// (agents report every 30 s by default).
const REFRESH_MS = 3000;
const PAIRING_REFRESH_MS = 1000;   // while a pairing code waits: show the new device at once
const HISTORY_MS = 10000;
const PAGE = 50;                   // devices a page, and so at most 50 ids a history request

function row(d, samples, handlers) {
  return h('tr', { 'data-id': d.id },
    h('th', { scope: 'row', 'data-label': 'Name' }, h('a', { href: `#/devices/${d.id}` }, d.name),
      d.hostname && d.hostname !== d.name ? h('div', { class: 'help' }, d.hostname) : null),
    h('td', { 'data-label': 'Status' }, deviceState(d)),
    h('td', { 'data-label': 'Platform' }, [d.platform, d.architecture].filter(Boolean).join(' ') || '—'),
    h('td', { 'data-label': 'Last seen' }, d.last_seen_at ? whenIso(d.last_seen_at) : 'never'),
    h('td', { 'data-label': 'Health (last hour)' }, healthCharts(samples)),
    can('devices:write') ? h('td', { 'data-label': 'Actions' }, deviceActions(d, handlers)) : null);
}

export async function devicesPage(main) {
  const feedback = h('div', { class: 'feedback' });
  const body = h('tbody');
  const total = h('p', { class: 'help', id: 'device-count', tabindex: '-1' });
  const stale = h('div');  // the last background refresh failed (cleared by the next good one)
  let asking = false;   // a confirm question is open: do not redraw it away
  const handlers = {
    done: () => { feedback.replaceChildren(); return refresh(); },
    fail: (err) => feedback.replaceChildren(errorText(err.message)),
    onOpen: (open) => { asking = open; },
  };

  const healthErrors = h('div');
  // The page's histories, read again when older than HISTORY_MS or when the page shows other
  // devices. One that cannot be read does not hide the devices: their charts show "no
  // report" and the API's message is shown above the list.
  let cache = { at: 0, ids: '', samples: {} };
  const histories = async (devices) => {
    const ids = devices.map((d) => d.id);
    if (ids.join(',') === cache.ids && Date.now() - cache.at < HISTORY_MS) return cache.samples;
    try {
      cache = { at: Date.now(), ids: ids.join(','), samples: await healthHistories(ids) };
      healthErrors.replaceChildren();
    } catch (err) {
      healthErrors.replaceChildren(errorText(`Could not read the devices' health: ${err.message}`));
    }
    return cache.samples;
  };

  let offset = 0;
  const older = h('button', { type: 'button', class: 'secondary', onclick: () => turn(PAGE) }, 'Next devices');
  const newer = h('button', { type: 'button', class: 'secondary', onclick: () => turn(-PAGE) }, 'Previous devices');
  const pager = h('div', { class: 'actions' }, newer, older);
  const turn = async (by) => {
    offset = Math.max(0, offset + by);
    try { await refresh(); } catch (err) { stale.replaceChildren(errorText(err.message)); }
    total.focus();
  };

  async function refresh() {
    let list = await api('GET', `/api/devices?limit=${PAGE}&offset=${offset}`);
    if (list.devices.length === 0 && offset > 0) {   // the last page emptied meanwhile
      offset = Math.max(0, Math.floor((list.total - 1) / PAGE) * PAGE);
      list = await api('GET', `/api/devices?limit=${PAGE}&offset=${offset}`);
    }
    const samples = await histories(list.devices);
    // Keep the keyboard where it was: the same button of the same device, once redrawn.
    const active = document.activeElement;
    const focusRow = active && body.contains(active) ? active.closest('tr')?.dataset.id : null;
    const focusAction = focusRow ? active.dataset.action : null;
    body.replaceChildren(...list.devices.map((d) => row(d, samples[d.id] || [], handlers)));
    if (list.devices.length === 0) {
      body.append(h('tr', {}, h('td', { colspan: 6 }, can('devices:write')
        ? 'No devices yet. Pair one above.' : 'No devices yet.')));
    }
    const shown = list.devices.length ? ` (${offset + 1}–${offset + list.devices.length} shown)` : '';
    total.textContent = `${list.total} device${list.total === 1 ? '' : 's'}${list.total > PAGE ? shown : ''}`;
    pager.hidden = list.total <= PAGE;
    newer.disabled = offset === 0;
    older.disabled = offset + list.devices.length >= list.total;
    if (focusRow) {
      const again = body.querySelector(`tr[data-id="${focusRow}"] [data-action="${focusAction}"]`)
        || body.querySelector(`tr[data-id="${focusRow}"] a`);
      again?.focus();
    }
  }

  await refresh();
  const pairing = can('devices:write') ? pairingPanel() : null;
  const heads = ['Name', 'Status', 'Platform', 'Last seen', 'Health (last hour)', can('devices:write') ? 'Actions' : null];
  main.replaceChildren(...[
    h('h1', {}, 'Devices'),
    pairing ? pairing.element : null,
    h('h2', {}, 'Paired devices'),
    total,
    feedback,
    stale,
    healthErrors,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'stack devices' },
        h('caption', { class: 'visually-hidden' }, 'Devices with their status, last contact and health'),
        h('thead', {}, h('tr', {}, heads.filter(Boolean).map((t) => h('th', { scope: 'col' }, t)))),
        body)),
    pager,
  ].filter(Boolean));

  let timer = null;
  let stopped = false;
  const again = () => { if (!stopped) timer = setTimeout(tick, pairing?.live() ? PAIRING_REFRESH_MS : REFRESH_MS); };
  const tick = async () => {
    if (!asking) {
      try {
        await refresh();
        stale.replaceChildren();
      } catch (err) {
        stale.replaceChildren(errorText(`Could not refresh the list: ${err.message}`));
      }
    }
    again();
  };
  again();
  return () => { stopped = true; clearTimeout(timer); pairing?.stop(); };
}
