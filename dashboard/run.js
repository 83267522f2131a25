// One run: status, duration and output, following the live log over SSE
// (GET /api/automations/runs/{id}/stream?token=KEY; EventSource cannot send headers) until
// `event: end`. EventSource resumes by itself after a dropped connection (Last-Event-ID is a
// byte offset, so nothing is lost or repeated). Keys with `run` get a Cancel button while the
// run is queued or running (POST …/cancel); a run held for approval is stopped by rejecting
// its request instead (the API answers 409 pending_approval), so the page says that.
import { api, session, can } from './api.js';
import { h, badge, duration, when, announce, errorText } from './dom.js';

const FINAL = new Set(['done', 'failed', 'timeout', 'cancelled', 'rejected', 'skipped', 'interrupted']);

export async function runPage(main, runId) {
  let run = await api('GET', `/api/automations/runs/${runId}`);
  const status = h('span', { id: 'run-status', tabindex: '-1' });
  const took = h('span', { id: 'run-duration' });
  const reason = h('p', { id: 'run-reason' });
  const output = h('pre', { id: 'run-output', tabindex: '0', 'aria-label': 'Output', 'aria-live': 'off' });
  const live = h('p', { id: 'run-live', class: 'help' });
  const feedback = h('div');
  const cancel = h('button', { type: 'button', id: 'run-cancel', class: 'danger', hidden: true }, 'Cancel run');
  const held = h('p', { id: 'run-held', hidden: true }, 'This run waits for approval. To stop it, reject its request',
    can('act:read') || can('act:approve') ? [' on the ', h('a', { href: '#/approvals' }, 'Approvals'), ' page.'] : '.');
  let cancelling = false;

  const show = () => {
    status.replaceChildren(badge(run.status));
    const secs = run.duration_ms !== null && run.duration_ms !== undefined ? run.duration_ms / 1000
      : run.started ? Date.now() / 1000 - run.started : null;
    took.textContent = duration(secs);
    reason.textContent = run.reason ? `Reason: ${run.reason}` : '';
    const active = !FINAL.has(run.status);
    const hadFocus = document.activeElement === cancel;
    cancel.hidden = !can('run') || !active || run.status === 'pending_approval';
    // aria-disabled rather than disabled while cancelling: a disabled button would drop the
    // keyboard focus; once the button goes, focus moves to the status it led to.
    cancel.setAttribute('aria-disabled', String(cancelling));
    cancel.textContent = cancelling ? 'Cancelling…' : 'Cancel run';
    if (hadFocus && cancel.hidden) status.focus();
    held.hidden = run.status !== 'pending_approval';
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
    h('div', { class: 'actions' }, cancel),
    held,
    feedback,
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

  // Cancel: the API answers 202 at once; the command gets SIGTERM (SIGKILL 2 s later) and the
  // stream's `end` brings the final state. The run is also re-read until it is final, in case
  // the stream has already closed (a queued run that never printed anything).
  let poll = null;
  cancel.addEventListener('click', async () => {
    if (cancelling) return;
    cancelling = true;
    show();
    feedback.replaceChildren();
    try {
      await api('POST', `/api/automations/runs/${encodeURIComponent(runId)}/cancel`);
      announce('Cancelling the run');
      poll = setInterval(async () => {
        try {
          const now = await api('GET', `/api/automations/runs/${runId}`);
          if (!FINAL.has(now.status)) return;
          clearInterval(poll);
          if (stream.readyState === EventSource.CLOSED && !FINAL.has(run.status)) {
            run = now;
            live.textContent = `Finished: ${run.status}.`;
            show();
          }
        } catch (err) { clearInterval(poll); feedback.replaceChildren(errorText(err.message)); }
      }, 500);
    } catch (err) {
      // E.g. 409 run_finished: it ended meanwhile. Say so, and show what it ended as.
      cancelling = false;
      feedback.replaceChildren(errorText(err.message));
      try { run = await api('GET', `/api/automations/runs/${runId}`); } catch { /* keep what we have */ }
      show();
    }
  });
  return () => { stream.close(); clearInterval(ticker); clearInterval(poll); };
}
