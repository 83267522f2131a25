// The approval queue: a run held for approval is shown with its automation, requester and
// progress; the requester's own Approve is refused with the gate's message (shown, not
// swallowed); a second key approves it in the page with a comment and the run runs to
// `done`; another is rejected with a comment and listed under "Decided"; an action proposal
// made through the API is approved from the proposals view; a request made while the page
// is open appears without a reload (the page polls).
import { run, newPage, signIn, screenshot, check, apiCall } from './harness.mjs';
import { expect } from './expect.mjs';

async function waitFor(describe, probe, ms = 8000) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${describe}`);
}

await run('approvals', async ({ daemon, browser }) => {
  const a = await apiCall(daemon, 'POST', '/api/automations', {
    name: 'Migrate the database', type: 'script', params: { command: 'echo migrated' }, approval: { required: true } });
  const bob = await apiCall(daemon, 'POST', '/api/keys', { name: 'bob', role: 'full-access' });
  const first = await apiCall(daemon, 'POST', `/api/automations/${a.id}/run`);   // requested by admin
  const second = await apiCall(daemon, 'POST', `/api/automations/${a.id}/run`);
  check(first.status === 'pending_approval', `the run waits for approval, got ${first.status}`);
  const proposal = await apiCall(daemon, 'POST', '/api/v1/act/proposals', {
    title: 'Free disk space on /var', description: '/var is 91% full',
    commands: [{ tool: 'bash', args: { command: 'echo apt-get clean' } }] });

  // The requester (admin) sees the request but may not decide it: the API's refusal shows.
  const own = await newPage(browser);
  await signIn(own, daemon);
  await own.goto(`${daemon.base}/#/approvals`);
  const mine = own.locator(`#approval-requests [data-id="${first.approval_id}"]`);
  await expect(mine).toContainText('Migrate the database');   // the automation by name
  await expect(mine).toContainText('0 of 1 approval');
  const third = await apiCall(daemon, 'POST', `/api/automations/${a.id}/run`);  // arrives while the page is open
  await mine.getByRole('button', { name: 'Approve' }).click();
  await expect(mine.getByRole('alert')).toContainText("'admin' requested this and cannot decide it");

  // bob, a second key, approves it with a comment.
  const page = await newPage(browser);
  await signIn(page, daemon, bob.key);
  await page.goto(`${daemon.base}/#/approvals`);
  const item = page.locator(`#approval-requests [data-id="${first.approval_id}"]`);
  await expect(item).toContainText('admin');                  // requested by
  await item.getByLabel('Comment (optional)').fill('checked the plan');
  await screenshot(page, 'approvals');
  await item.getByRole('button', { name: 'Approve' }).click();
  await expect(page.locator('#approvals-status')).toContainText('now approved');
  const done = await waitFor('the approved run to finish', async () => {
    const r = await apiCall(daemon, 'GET', `/api/automations/runs/${first.run_id}`);
    return r.status === 'done' ? r : null;
  });
  check(done.output.includes('migrated'), 'the approved run ran the script');
  const decided = await apiCall(daemon, 'GET', `/api/approvals/${first.approval_id}`);
  check(decided.decisions[0].by === 'bob' && decided.decisions[0].comment === 'checked the plan', 'the comment is recorded with bob');

  // Reject the second one, with a reason.
  const other = page.locator(`#approval-requests [data-id="${second.approval_id}"]`);
  await other.getByLabel('Comment (optional)').fill('not during business hours');
  await other.getByRole('button', { name: 'Reject' }).click();
  await expect(page.locator('#approvals-status')).toContainText('now rejected');
  const rejected = await apiCall(daemon, 'GET', `/api/automations/runs/${second.run_id}`);
  check(rejected.status === 'rejected' && rejected.reason.includes('not during business hours'), `rejected with the reason, got ${rejected.status} ${rejected.reason}`);

  // The proposal: in its own view, approved from there; it becomes a run.
  const prop = page.locator(`#approval-proposals [data-id="${proposal.id}"]`);
  await expect(prop).toContainText('/var is 91% full');
  await prop.getByRole('button', { name: 'Approve' }).click();
  await expect(page.locator('#approvals-status')).toContainText('Free disk space on /var');
  const p = await apiCall(daemon, 'GET', `/api/v1/act/proposals/${proposal.id}`);
  check(p.status === 'approved' && p.run_id, 'the proposal is approved and has a run');

  // The run requested while the pages were open came in by polling: the requester's page,
  // which decided nothing (a refusal reloads nothing), shows it without a reload.
  await expect(own.locator(`#approval-requests [data-id="${third.approval_id}"]`)).toContainText('pending');

  // "Decided" lists the rejected one with its status word.
  await page.getByLabel('Show').selectOption('decided');
  const gone = page.locator(`#approval-requests [data-id="${second.approval_id}"]`);
  await expect(gone.locator('.approval-state')).toContainText('rejected');
  await expect(gone).toContainText('not during business hours');
  check(await page.locator(`#approval-requests [data-id="${third.approval_id}"]`).count() === 0, 'a pending one is not under Decided');
  await screenshot(page, 'approvals-decided');
  check(page.problems.length === 0 && own.problems.length === 0, [...page.problems, ...own.problems].join('\n'));
});
