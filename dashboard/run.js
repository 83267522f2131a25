// One run: status, duration and output, following the live log over SSE
// (GET /api/automations/runs/{id}/stream?token=KEY; EventSource cannot send headers) until
// `event: end`. EventSource resumes by itself after a dropped connection (Last-Event-ID is a
// byte offset, so nothing is lost or repeated).
import { api, session } from './api.js';
import { h, badge, duration, when, announce } from './dom.js';

const FINAL = new Set(['done', 'failed', 'timeout', 'cancelled', 'rejected', 'skipped', 'interrupted']);

export async function runPage(main, runId) {
  let run = await api('GET', `/api/automations/runs/${runId}`);
  const status = h('span', { id: 'run-status' });
  const took = h('span', { id: 'run-duration' });
  const reason = h('p', { id: 'run-reason' });
  const output = h('pre', { id: 'run-output', tabindex: '0', 'aria-label': 'Output', 'aria-live': 'off' });
  const live = h('p', { id: 'run-live', class: 'help' });

  const show = () => {
    status.replaceChildren(badge(run.status));
    const secs = run.duration_ms !== null && run.duration_ms !== undefined ? run.duration_ms / 1000
      : run.started ? Date.now() / 1000 - run.started : null;
    took.textContent = duration(secs);
    reason.textContent = run.reason ? `Reason: ${run.reason}` : '';
  };

  let automationName = run.automation_id;
  try { automationName = (await api('GET', `/api/automations/${run.automation_id}`)).name; } catch { /* deleted since */ }
  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Automations'), ' / ',
      h('a', { href: `#/automations/${run.automation_id}` }, automationName), ' / ', runId),
    h('h1', {}, `Run ${runId}`),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Status'), h('dd', {}, status),
      h('dt', {}, 'Duration'), h('dd', {}, took),
      h('dt', {}, 'Started'), h('dd', {}, when(run.started)),
      h('dt', {}, 'Trigger'), h('dd', {}, `${run.trigger} by ${run.requested_by || '—'}`)),
    reason,
    h('h2', {}, 'Output'),
    live,
    output);
  show();

  const ticker = setInterval(() => { if (!FINAL.has(run.status)) show(); }, 500);
  const url = `/api/automations/runs/${encodeURIComponent(runId)}/stream?token=${encodeURIComponent(session.key())}`;
  const stream = new EventSource(url);
  live.textContent = FINAL.has(run.status) ? 'Stored output:' : 'Following the live output…';
  stream.onmessage = (e) => {
    output.textContent += e.data + '\n';
    output.scrollTop = output.scrollHeight;
    if (run.status === 'queued' || run.status === 'pending_approval') { run.status = 'running'; show(); }
  };
  stream.addEventListener('end', async (e) => {
    stream.close();
    const end = JSON.parse(e.data);
    try { run = await api('GET', `/api/automations/runs/${runId}`); } catch { run = { ...run, ...end }; }
    // The stored output is the reference once the run is over (the stream may have joined late).
    if (typeof run.output === 'string' && run.output.length >= output.textContent.trimEnd().length) output.textContent = run.output;
    show();
    live.textContent = `Finished: ${run.status}.`;
    announce(`Run finished: ${run.status}`);
  });
  stream.addEventListener('dropped', () => { live.textContent = 'Fell behind the live output; showing what was stored.'; });
  stream.onerror = () => {
    if (stream.readyState === EventSource.CLOSED) live.textContent = 'The live stream closed. Reload to read the stored output.';
  };
  return () => { stream.close(); clearInterval(ticker); };
}
