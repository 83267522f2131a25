// The approval queue: runs held for approval (GET /api/approvals?kind=run) and action
// proposals (GET /api/v1/act/proposals), each pending one with Approve / Reject and an
// optional comment. The gate's rules (nobody decides their own request, named approvers,
// one decision per person) are the API's: its refusals are shown as they come.
// The lists refresh every few seconds while the page is open; an item whose data did not
// change keeps its DOM, so a comment being typed survives a refresh.
import { api, can, canReadRuns } from './api.js';
import { h, whenIso, when, badge, announce, errorText } from './dom.js';

const POLL_MS = 3000;

// "Show": which statuses each list keeps. The API filters pending itself; "decided" is
// every status but pending (approved, rejected, expired), filtered here from status=all.
const SHOW = {
  pending: { query: 'pending', keep: (s) => s === 'pending' },
  decided: { query: 'all', keep: (s) => s !== 'pending' },
  all: { query: 'all', keep: () => true },
};


function argsText(args) {
  const text = JSON.stringify(args ?? {});
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

// What runs if approved: the planned steps (runs) or the commands (proposals).
function stepsList(steps, label) {
  if (!steps || steps.length === 0) return null;
  return h('details', { class: 'approval-steps' },
    h('summary', {}, `${label} (${steps.length})`),
    h('ol', {}, steps.map((s) => h('li', {},
      h('strong', {}, s.name ? `${s.name}: ` : ''), h('code', {}, s.tool), ' ',
      h('code', { class: 'args' }, argsText(s.args)),
      s.target && s.target !== 'local' ? ` on ${s.target}` : '',
      s.continue_on_error ? ' (may fail)' : ''))));
}

function decisionsList(decisions, at) {
  if (!decisions || decisions.length === 0) return null;
  return h('ul', { class: 'decisions', 'aria-label': 'Decisions' }, decisions.map((d) => h('li', {},
    h('strong', {}, d.by), ` ${d.decision === 'approve' ? 'approved' : 'rejected'}`,
    d.comment ? [': “', d.comment, '”'] : '', ` (${at(d.at)})`)));
}

// The comment box and the two buttons of one pending item. `path` is the item's decision
// endpoint without /approve|/reject.
function decisionForm(item, path, onDecided) {
  const id = `comment-${item.id}`;
  const comment = h('textarea', { id, name: 'comment', rows: 2, maxlength: 2000 });
  const error = h('div', { class: 'decision-error' });
  const buttons = [];
  const decide = async (verb) => {
    error.replaceChildren();
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const text = comment.value.trim();
      const after = await api('POST', `${path}/${verb}`, text ? { comment: text } : undefined);
      onDecided(item, verb, after);
    } catch (err) {
      // The gate's refusals (own request, not an approver, already decided) land here.
      error.replaceChildren(errorText(err.message));
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  buttons.push(
    h('button', { type: 'button', 'data-action': 'approve', 'aria-label': `Approve ${item.title}`, onclick: () => decide('approve') }, 'Approve'),
    h('button', { type: 'button', class: 'danger', 'data-action': 'reject', 'aria-label': `Reject ${item.title}`, onclick: () => decide('reject') }, 'Reject'));
  return h('div', { class: 'decision' },
    h('label', { for: id }, 'Comment (optional)'),
    comment,
    h('div', { class: 'buttons' }, buttons),
    error);
}

function runLink(runId) {
  if (!runId) return '—';
  return canReadRuns() ? h('a', { href: `#/runs/${runId}` }, runId) : runId;
}

function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function progress(item) {
  return `${item.approvals} of ${item.min_approvals} approval${item.min_approvals === 1 ? '' : 's'}`;
}

function approversText(approvers) {
  return approvers.length ? approvers.join(', ') : 'anyone with act:approve (not the requester)';
}

function requestItem(r, names, onDecided) {
  const automation = r.automation_id
    ? h('a', { href: `#/automations/${r.automation_id}` }, names.get(r.automation_id) ?? r.automation_id) : '—';
  return h('article', { class: 'card approval', 'data-id': r.id, 'data-status': r.status, 'aria-label': r.title },
    h('h3', {}, r.title),
    h('p', { class: 'approval-state' }, badge(r.status), ' ', progress(r)),
    facts([
      ['Automation', automation],
      ['Run', runLink(r.run_id)],
      ['Requested by', r.requested_by],
      ['Requested', when(r.created)],
      r.status === 'pending' ? ['Expires', when(r.expires)] : ['Decided', when(r.decided)],
      ['Approvers', approversText(r.approvers)],
      r.description ? ['Description', r.description] : null,
      r.reason ? ['Reason', r.reason] : null,
    ]),
    stepsList(r.steps, 'Steps that run if approved'),
    decisionsList(r.decisions, when),
    r.status === 'pending' && can('act:approve') ? decisionForm(r, `/api/approvals/${r.id}`, onDecided) : null);
}

function proposalItem(p, onDecided) {
  return h('article', { class: 'card approval', 'data-id': p.id, 'data-status': p.status, 'aria-label': p.title },
    h('h3', {}, p.title),
    h('p', { class: 'approval-state' }, badge(p.status), ' ', progress(p)),
    p.description ? h('p', { class: 'why' }, h('strong', {}, 'Why: '), p.description) : null,
    facts([
      ['Proposed by', p.requested_by],
      ['Proposed', whenIso(p.created_at)],
      p.status === 'pending' ? ['Expires', whenIso(p.expires_at)] : ['Decided', whenIso(p.decided_at)],
      ['Approvers', approversText(p.approvers)],
      p.run_id ? ['Run', runLink(p.run_id)] : null,
      p.reason ? ['Reason', p.reason] : null,
    ]),
    stepsList(p.commands, 'Commands that run if approved'),
    decisionsList(p.decisions, whenIso),
    p.status === 'pending' && can('act:approve') ? decisionForm(p, `/api/v1/act/proposals/${p.id}`, onDecided) : null);
}

// Keeps one list's items in step with the API without rebuilding unchanged ones (typed
// comments and focus stay); touches the DOM only when something changed.
// When the focused item leaves the list (decided), focus goes to `fallback`, not the body.
function keyedList(container, empty, fallback) {
  let built = new Map();  // id -> { sig, el }
  return (items, render) => {
    const next = new Map();
    const els = items.map((item) => {
      const sig = JSON.stringify(item);
      const old = built.get(item.id);
      const el = old && old.sig === sig ? old.el : render(item);
      next.set(item.id, { sig, el });
      return el;
    });
    built = next;
    const wanted = els.length ? els : [h('p', { class: 'empty' }, empty)];
    const current = [...container.children];
    if (current.length === wanted.length && current.every((el, i) => el === wanted[i])) return;
    const focused = document.activeElement;
    const inside = container.contains(focused);
    container.replaceChildren(...wanted);
    if (inside && focused.isConnected) focused.focus();
    else if (inside) fallback.focus();
  };
}

export async function approvalsPage(main) {
  if (!can('act:read')) {
    main.replaceChildren(h('h1', {}, 'Approvals'), h('p', {}, 'This key may not read the approval queue (it lacks act:read).'));
    return undefined;
  }
  const show = h('select', { id: 'approvals-show', name: 'show' },
    h('option', { value: 'pending' }, 'Pending'),
    h('option', { value: 'decided' }, 'Decided (approved, rejected, expired)'),
    h('option', { value: 'all' }, 'All'));
  const status = h('p', { id: 'approvals-status', role: 'status', class: 'help', tabindex: '-1' });
  const requestsBox = h('div', { id: 'approval-requests', class: 'approval-list' });
  const proposalsBox = h('div', { id: 'approval-proposals', class: 'approval-list' });
  const requestsError = h('div');
  const proposalsError = h('div');
  const setRequests = keyedList(requestsBox, 'No approval requests here.', status);
  const setProposals = keyedList(proposalsBox, 'No action proposals here.', status);
  const names = new Map();

  // The automations' names, for "which automation" (reading them needs `history`).
  const learnNames = async (ids) => {
    if (!can('history') || ids.every((id) => names.has(id))) return;
    try {
      for (const a of await api('GET', '/api/automations')) names.set(a.id, a.name);
    } catch { /* the ids are shown instead */ }
    for (const id of ids) if (!names.has(id)) names.set(id, id);  // deleted since: ask only once
  };

  // One load at a time; a load asked for meanwhile (a decision during a poll) runs after it,
  // so the lists never end on data read before the decision.
  let busy = false;
  let again = false;
  let stopped = false;
  const load = async () => {
    if (stopped) return;
    if (busy) { again = true; return; }
    busy = true;
    again = false;
    const mode = SHOW[show.value];
    try {
      const [reqs, props] = await Promise.allSettled([
        api('GET', `/api/approvals?kind=run&status=${mode.query}&limit=200`),
        api('GET', `/api/v1/act/proposals?status=${mode.query}&include=commands&limit=200`)]);
      // A key revoked or expired meanwhile has signed the page out already (api.js), which
      // stopped it.
      if (stopped) return;
      if (reqs.status === 'fulfilled') {
        const list = reqs.value.filter((r) => mode.keep(r.status));
        await learnNames(list.map((r) => r.automation_id).filter(Boolean));
        requestsError.replaceChildren();
        setRequests(list, (r) => requestItem(r, names, decided));
      } else requestsError.replaceChildren(errorText(reqs.reason.message));
      if (props.status === 'fulfilled') {
        proposalsError.replaceChildren();
        setProposals(props.value.proposals.filter((p) => mode.keep(p.status)), (p) => proposalItem(p, decided));
      } else proposalsError.replaceChildren(errorText(props.reason.message));
    } finally {
      busy = false;
      if (again) reload();
    }
  };

  // Later loads (polling, the filter, after a decision).
  const reload = () => load().catch((err) => requestsError.replaceChildren(errorText(err.message)));

  // After a decision: say what happened (the item itself is redrawn from the API).
  function decided(item, verb, after) {
    const text = `${verb === 'approve' ? 'Approved' : 'Rejected'} “${item.title}”: now ${after.status}`
      + (after.status === 'pending' ? ` (${progress(after)})` : '') + '.';
    status.textContent = text;
    announce(text);
    reload();
  }

  show.addEventListener('change', reload);
  await load();
  // One wrapper: this page's styles are scoped to it (style.css, "approvals, maintenance, keys, audit").
  main.replaceChildren(h('div', { class: 'pg-approvals' },
    h('h1', {}, 'Approvals'),
    h('p', { class: 'help' }, can('act:approve')
      ? 'Runs and proposed actions wait here until people decide. You cannot decide a request you made yourself.'
      : 'Runs and proposed actions waiting for a decision. This key may read the queue but not decide (it lacks act:approve).'),
    h('div', { class: 'toolbar' }, h('label', { for: 'approvals-show' }, 'Show'), show),
    status,
    h('section', { 'aria-labelledby': 'requests-title' },
      h('h2', { id: 'requests-title' }, 'Approval requests'),
      h('p', { class: 'help' }, 'Runs of automations held until approved.'),
      requestsError, requestsBox),
    h('section', { 'aria-labelledby': 'proposals-title' },
      h('h2', { id: 'proposals-title' }, 'Action proposals'),
      h('p', { class: 'help' }, 'Commands proposed by scripts or agents (POST /api/v1/act/proposals); they run once approved.'),
      proposalsError, proposalsBox)));
  const timer = setInterval(reload, POLL_MS);
  return () => { stopped = true; clearInterval(timer); };
}
