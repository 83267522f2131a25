// The week calendar of the maintenance page: seven day columns of 24 hours showing when each
// window is active, from GET /api/maintenance/calendar (occurrences overlapping [from, to),
// sorted by start; a window forced on is one occurrence from now). The daemon expands the
// cron schedules, time zones and forced states, so this file only lays out intervals.
// Days are the browser's local days; at phone width the grid becomes a list of days.
import { api } from './api.js';
import { h, errorText } from './dom.js';

const DAYS = 7;

const localMidnight = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const addDays = (d, n) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);  // DST-safe
const rfc3339 = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const hm = (d) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

// One occurrence cut to one day: [start, end) within [dayStart, dayEnd).
function segmentsOf(occurrences, dayStart, dayEnd) {
  const segs = [];
  for (const o of occurrences) {
    const s = new Date(o.start);
    const e = new Date(o.end);
    if (!(e > dayStart && s < dayEnd)) continue;
    segs.push({ o, s: s < dayStart ? dayStart : s, e: e > dayEnd ? dayEnd : e, before: s < dayStart, after: e > dayEnd });
  }
  // Lanes: overlapping windows sit side by side instead of on top of each other.
  const laneEnds = [];
  for (const seg of segs) {
    let lane = laneEnds.findIndex((end) => end <= seg.s);
    if (lane === -1) { lane = laneEnds.length; laneEnds.push(seg.e); } else laneEnds[lane] = seg.e;
    seg.lane = lane;
  }
  for (const seg of segs) seg.lanes = laneEnds.length;
  return segs;
}

function occurrenceItem(seg, dayStart, dayEnd) {
  const { o } = seg;
  const span = dayEnd - dayStart;
  const range = `${seg.before ? '… ' : ''}${hm(seg.s)}–${seg.after ? '24:00 …' : hm(seg.e)}`;
  // forced "off": a scheduled occurrence switched off by deactivate (drawn, but struck out).
  const mode = `${o.autonomy_override}${o.forced === 'on' ? ', forced on' : o.forced === 'off' ? ', switched off' : ''}`;
  // The full text also as a tooltip: a short occurrence's box cuts it off.
  const li = h('li', { class: `mcal-occ mcal-${String(o.autonomy_override).replace(/[^a-z]/g, '')}${o.forced === 'off' ? ' mcal-off' : ''}`,
                       'data-window': o.window_id,
                       title: `${o.name} ${range} ${mode}` },
    h('span', { class: 'mcal-name' }, o.name), ' ',
    h('span', { class: 'mcal-time' }, range), ' ',
    h('span', { class: 'mcal-mode' }, mode));
  // Position through the CSSOM (the page's CSP refuses style attributes, not this).
  li.style.top = `${((seg.s - dayStart) / span) * 100}%`;
  li.style.height = `${((seg.e - seg.s) / span) * 100}%`;
  li.style.left = `${(seg.lane / seg.lanes) * 100}%`;
  li.style.width = `${100 / seg.lanes}%`;
  return li;
}

function dayColumn(dayStart, occurrences, now) {
  const dayEnd = addDays(dayStart, 1);
  const segs = segmentsOf(occurrences, dayStart, dayEnd);
  const today = now >= dayStart && now < dayEnd;
  const name = dayStart.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
  const track = h('div', { class: 'mcal-track' },
    segs.length ? h('ul', { class: 'mcal-occs', 'aria-label': `Maintenance on ${name}` },
      segs.map((seg) => occurrenceItem(seg, dayStart, dayEnd)))
      : h('p', { class: 'mcal-none' }, 'No maintenance'));
  if (today) {
    const line = h('div', { class: 'mcal-now', 'aria-hidden': 'true' });
    line.style.top = `${((now - dayStart) / (dayEnd - dayStart)) * 100}%`;
    track.append(line);
  }
  return h('li', { class: 'mcal-day', 'data-date': ymd(dayStart), 'aria-current': today ? 'date' : null },
    h('h3', { class: 'mcal-head' }, today ? `Today, ${dayStart.toLocaleDateString([], { day: 'numeric', month: 'short' })}` : name),
    track);
}

// The calendar section; load() (re)reads the week shown. Returns { el, load }.
export function maintenanceCalendar() {
  let from = localMidnight(new Date());
  const range = h('p', { id: 'mcal-range', class: 'help' });
  const body = h('div', { class: 'mcal-body' });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const load = async () => {
    const to = addDays(from, DAYS);
    range.textContent = `${from.toLocaleDateString()} – ${addDays(to, -1).toLocaleDateString()}, times in this browser's time zone (${zone}).`;
    let data;
    try {
      data = await api('GET', `/api/maintenance/calendar?from=${encodeURIComponent(rfc3339(from))}&days=${DAYS}`);
    } catch (err) {
      body.replaceChildren(errorText(`The calendar could not be read: ${err.message}`));
      return;
    }
    const now = new Date();
    const hours = h('div', { class: 'mcal-gutter', 'aria-hidden': 'true' },
      h('div', { class: 'mcal-head' }),
      h('div', { class: 'mcal-hours' }, Array.from({ length: 24 }, (_, i) => h('span', {}, `${String(i).padStart(2, '0')}:00`))));
    body.replaceChildren(...[
      // The daemon caps how many occurrences it expands (a cron firing every minute).
      data.truncated ? h('p', { class: 'warning', role: 'note' }, 'Not every occurrence is shown: there are too many in these days.') : null,
      h('div', { class: 'mcal' }, hours,
        h('ol', { class: 'mcal-days' }, Array.from({ length: DAYS }, (_, i) => dayColumn(addDays(from, i), data.occurrences, now)))),
    ].filter(Boolean));
  };

  const move = (days) => async () => { from = days === 0 ? localMidnight(new Date()) : addDays(from, days); await load(); };
  const el = h('section', { class: 'mcal-section', 'aria-labelledby': 'mcal-title' },
    h('h2', { id: 'mcal-title' }, 'When the windows are active'),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', class: 'secondary', onclick: move(-DAYS) }, 'Previous 7 days'),
      h('button', { type: 'button', class: 'secondary', onclick: move(0) }, 'From today'),
      h('button', { type: 'button', class: 'secondary', onclick: move(DAYS) }, 'Next 7 days')),
    range,
    body);
  return { el, load };
}
