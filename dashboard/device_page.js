// One device: its details and status, health over the last hour (bigger charts), a tool call
// to execute on it (keys with `run`), its recent executions and the tools it offers with
// their schemas. Status and health refresh every few seconds.
import { api, can } from './api.js';
import { h, whenIso, duration, badge, announce, errorText } from './dom.js';
import { healthHistory, healthCharts } from './sparkline.js';
import { deviceActions, deviceState } from './device_actions.js';
import { toolCallForm, executionView } from './tool_call.js';
import { schemaDetails } from './schema_view.js';

const REFRESH_MS = 5000;

function uptime(s) {
  if (typeof s !== 'number') return null;
  const d = Math.floor(s / 86400);
  const hrs = Math.floor((s % 86400) / 3600);
  return d ? `${d} d ${hrs} h` : `${hrs} h ${Math.floor((s % 3600) / 60)} min`;
}

function facts(d, groupNames) {
  const row = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
  return h('dl', { class: 'facts', id: 'device-facts' },
    row('Status', deviceState(d)),
    row('Host name', d.hostname || '—'),
    row('Platform', [d.platform, d.architecture].filter(Boolean).join(' ') || '—'),
    row('OS', d.os_version || '—'),
    row('Agent', d.agent_version || '—'),
    row('Last seen', d.last_seen_at ? whenIso(d.last_seen_at) : 'never'),
    row('Paired', whenIso(d.paired_at)),
    row('Groups', d.groups.length ? d.groups.flatMap((g, i) => [i ? ', ' : '', h('a', { href: '#/groups' }, groupNames.get(g) || g)]) : 'none'));
}

function healthSection(d, samples) {
  const last = d.health || {};
  const more = [
    Array.isArray(last.load_average) ? `Load average ${last.load_average.join(' ')}` : null,
    uptime(last.uptime_seconds) ? `up ${uptime(last.uptime_seconds)}` : null,
    last.timestamp ? `last report ${whenIso(last.timestamp)}` : 'no report yet',
  ].filter(Boolean).join(' · ');
  return h('div', { id: 'device-health' }, healthCharts(samples, { big: true }), h('p', { class: 'help' }, more));
}

function executionsTable(list) {
  if (list.length === 0) return h('p', {}, 'No executions yet.');
  return h('div', { class: 'table-wrap' }, h('table', { class: 'stack executions' },
    h('caption', { class: 'visually-hidden' }, 'Recent executions, newest first'),
    h('thead', {}, h('tr', {}, ['Tool', 'Status', 'Asked by', 'Started', 'Duration', 'Output'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, list.map((e) => h('tr', { 'data-execution': e.execution_id },
      h('th', { scope: 'row', 'data-label': 'Tool' }, e.tool),
      h('td', { 'data-label': 'Status' }, badge(e.status), e.exit_code !== null && e.exit_code !== undefined ? ` (exit ${e.exit_code})` : ''),
      h('td', { 'data-label': 'Asked by' }, `${e.requested_by} (${e.source})`),
      h('td', { 'data-label': 'Started' }, whenIso(e.started_at || e.created_at)),
      h('td', { 'data-label': 'Duration' }, e.duration_ms === null || e.duration_ms === undefined ? '—' : duration(e.duration_ms / 1000)),
      h('td', { 'data-label': 'Output' }, h('details', {}, h('summary', {}, 'Show'),
        e.error ? h('p', { class: 'execution-error' }, `Error: ${e.error}`) : null,
        h('pre', { class: 'output' }, e.output || '(no output)'))))))));
}

export async function devicePage(main, id) {
  const path = `/api/devices/${encodeURIComponent(id)}`;
  const load = () => Promise.all([api('GET', path), healthHistory(id)]);
  let [d, samples] = await load();
  const [groups, executions] = await Promise.all([
    api('GET', '/api/device-groups').catch(() => ({ groups: [] })),
    api('GET', `${path}/executions?limit=10`),
  ]);
  const groupNames = new Map(groups.groups.map((g) => [g.id, g.name]));

  const feedback = h('div', { class: 'feedback' });
  const stale = h('div');  // the last background refresh failed (cleared by the next good one)
  const title = h('h1', {}, d.name);
  const crumb = h('span', {}, d.name);
  const factsBox = h('div', {}, facts(d, groupNames));
  const actionsBox = h('div', { class: 'device-actions' });
  const healthBox = h('div', {}, healthSection(d, samples));
  const recent = h('div', { id: 'device-executions' }, executionsTable(executions.executions));
  const result = h('div', { id: 'execute-result', 'aria-live': 'polite' });
  let asking = false;

  let form = null;
  const show = () => {
    factsBox.replaceChildren(facts(d, groupNames));
    healthBox.replaceChildren(healthSection(d, samples));
    form?.setDisabledReason(d.status === 'approved' ? null : `Only approved devices run commands; ${d.name} is ${d.status}.`);
    // The buttons change with the status; the keyboard stays on the same one when it remains.
    const focused = actionsBox.contains(document.activeElement) ? document.activeElement.dataset.action : null;
    actionsBox.replaceChildren(deviceActions(d, {
      done: async () => { feedback.replaceChildren(); [d, samples] = await load(); show(); },
      fail: (err) => feedback.replaceChildren(errorText(err.message)),
      onOpen: (open) => { asking = open; },
      afterDelete: () => { location.hash = '#/devices'; },
    }) || '');
    if (focused) (actionsBox.querySelector(`[data-action="${focused}"]`) || actionsBox.querySelector('button'))?.focus();
  };

  let executeSection = null;
  if (can('run')) {
    const queue = h('input', { type: 'checkbox', id: 'execute-queue', checked: true });
    form = toolCallForm({
      id: 'execute', label: `Execute on ${d.name}`, tools: d.tools,
      extra: {
        element: h('p', { class: 'mode' }, queue, ' ', h('label', { for: queue.id }, 'If the device is offline, queue the command until it connects')),
        read: () => ({ queue: queue.checked }),
      },
      onSubmit: async (call) => {
        result.replaceChildren(h('p', {}, `Running ${call.tool} on ${d.name}…`));
        try {
          const e = await api('POST', `${path}/execute`, call);
          result.replaceChildren(h('h3', {}, 'Result'), executionView(e));
          announce(`${call.tool} on ${d.name}: ${e.status}`);
        } catch (err) {
          result.replaceChildren();
          throw err;   // shown next to the form, which keeps the input
        }
        const list = await api('GET', `${path}/executions?limit=10`);
        recent.replaceChildren(executionsTable(list.executions));
      },
    });
    executeSection = [h('h2', {}, 'Execute'), d.tools.length ? form : h('p', {}, 'This device announced no tools.'), result];
  }
  show();

  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/devices' }, 'Devices'), ' / ', crumb),
    title,
    factsBox,
    actionsBox,
    feedback,
    stale,
    h('h2', {}, 'Health, last hour'),
    healthBox,
    ...(executeSection || []),
    h('h2', {}, 'Recent executions'),
    recent,
    h('h2', {}, 'Tools on this device'),
    d.tools.length === 0 ? h('p', {}, 'None announced yet (the agent sends them when it connects).')
      : h('ul', { class: 'tool-list' }, d.tools.map((t) => h('li', {},
        h('strong', {}, t.name), t.version ? ` ${t.version}` : '',
        schemaDetails(t.args_schema, `Args of ${t.name}`)))));

  const timer = setInterval(async () => {
    if (asking) return;
    try {
      [d, samples] = await load();
      show();
      stale.replaceChildren();
    } catch (err) {
      stale.replaceChildren(errorText(`Could not refresh: ${err.message}`));
    }
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
