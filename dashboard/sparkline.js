// Health sparklines: CPU, memory and disk use of a device over the last hour, drawn as inline
// SVG (a path on a fixed 0–100 % scale: no chart library, nothing fetched). Each chart carries
// its text alternative ("CPU 12 % now, max 40 % in the last hour") as its accessible name.
import { api } from './api.js';
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
export const HISTORY_MINUTES = 60;
export const METRICS = [['cpu_percent', 'CPU'], ['memory_percent', 'Memory'], ['disk_percent', 'Disk']];

// The device's health samples of the last `minutes`, oldest first
// (GET /api/devices/{id}/health/history).
export async function healthHistory(id, minutes = HISTORY_MINUTES) {
  const answer = await api('GET', `/api/devices/${encodeURIComponent(id)}/health/history?minutes=${minutes}`);
  return answer.samples;
}

// The same for several devices (a page of the device list) in one request
// (GET /api/devices/health/history?ids=…): { device id: samples }.
export async function healthHistories(ids, minutes = HISTORY_MINUTES) {
  if (ids.length === 0) return {};
  const answer = await api('GET', `/api/devices/health/history?minutes=${minutes}&ids=${ids.map(encodeURIComponent).join(',')}`);
  return answer.devices;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export const percent = (v) => `${v < 10 ? v.toFixed(1) : Math.round(v)} %`;

// The text alternative of one metric's chart.
export function describe(label, values, minutes = HISTORY_MINUTES) {
  const span = minutes === 60 ? 'the last hour' : `the last ${minutes} min`;
  if (values.length === 0) return `${label}: no report in ${span}`;
  return `${label} ${percent(values[values.length - 1])} now, max ${percent(Math.max(...values))} in ${span}`;
}

// [time ms, value] of the samples that carry `key` (the agent leaves out what it cannot read).
function series(samples, key) {
  return samples
    .filter((x) => typeof x[key] === 'number' && x.timestamp)
    .map((x) => [Date.parse(x.timestamp), Math.min(100, Math.max(0, x[key]))])
    .filter(([t]) => !Number.isNaN(t));
}

// The path through the points; a gap much longer than the usual interval (the device was
// offline) breaks the line instead of drawing a slope that never happened.
function pathOf(points, x, y) {
  const steps = points.slice(1).map(([t], i) => t - points[i][0]).sort((a, b) => a - b);
  const usual = steps.length ? steps[Math.floor(steps.length / 2)] : 0;
  return points.map(([t, v], i) => {
    const jump = i === 0 || (usual > 0 && t - points[i - 1][0] > 5 * usual);
    return `${jump ? 'M' : 'L'}${x(t).toFixed(1)} ${y(v).toFixed(1)}`;
  }).join(' ');
}

// One chart. The x axis spans the samples there are (at most the last hour), so a device
// that reported for two minutes still shows a readable line.
export function sparkline(samples, key, label, { width = 120, height = 28, minutes = HISTORY_MINUTES } = {}) {
  const points = series(samples, key);
  const text = describe(label, points.map(([, v]) => v), minutes);
  const pad = 3;
  const t0 = points.length ? points[0][0] : 0;
  const t1 = points.length ? points[points.length - 1][0] : 1;
  const x = (t) => (t1 === t0 ? width - pad : pad + ((t - t0) / (t1 - t0)) * (width - 2 * pad));
  const y = (v) => height - pad - (v / 100) * (height - 2 * pad);
  const chart = svg('svg', { class: 'spark', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img',
                             'aria-label': text, 'data-metric': key, 'data-points': points.length, focusable: 'false' },
    svg('title', {}, text),
    svg('rect', { class: 'spark-frame', x: 0.5, y: 0.5, width: width - 1, height: height - 1, rx: 3 }),
    svg('line', { class: 'spark-mid', x1: pad, x2: width - pad, y1: y(50), y2: y(50) }));
  if (points.length > 1) chart.append(svg('path', { class: 'spark-line', d: pathOf(points, x, y) }));
  if (points.length) {
    const [tl, vl] = points[points.length - 1];
    chart.append(svg('circle', { class: 'spark-dot', cx: x(tl), cy: y(vl), r: 2.5 }));
  }
  return chart;
}

// CPU, memory and disk, one line each: name, chart, the value now (the chart's name says it
// all for screen readers, so the visible number is hidden from them).
export function healthCharts(samples, { big = false } = {}) {
  const size = big ? { width: 320, height: 48 } : { width: 110, height: 24 };
  return h('div', { class: `health${big ? ' health-big' : ''}` }, METRICS.map(([key, label]) => {
    const values = series(samples, key);
    return h('div', { class: 'health-row' },
      h('span', { class: 'health-label', 'aria-hidden': 'true' }, label),
      sparkline(samples, key, label, size),
      h('span', { class: 'health-now', 'aria-hidden': 'true' }, values.length === 0 ? '—'
        : big ? `${percent(values[values.length - 1][1])} now, max ${percent(Math.max(...values.map(([, v]) => v)))}`
          : percent(values[values.length - 1][1])));
  }));
}
