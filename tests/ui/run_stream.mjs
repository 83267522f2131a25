// Run now from the page, then the run page follows the live log over SSE: output lines
// appear while the run is still running (before its last line is printed), and at
// `event: end` the status is `done` with a duration; reached by keyboard only.
import { run, newPage, signIn, screenshot, check, apiCall } from './harness.mjs';
import { expect } from './expect.mjs';

await run('run_stream', async ({ daemon, browser }) => {
  // Prints a line, waits, prints another: the first must be on the page before the run ends.
  const a = await apiCall(daemon, 'POST', '/api/automations', {
    name: 'Slow echo', type: 'script', params: { command: 'echo first-line; sleep 1.5; echo last-line' } });

  const page = await newPage(browser);
  await signIn(page, daemon);
  const runButton = page.getByRole('button', { name: 'Run Slow echo now' });
  await runButton.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/runs\/run_/);
  const runId = page.url().split('#/runs/')[1];

  await expect(page.locator('#run-output')).toContainText('first-line');
  const whileRunning = await apiCall(daemon, 'GET', `/api/automations/runs/${runId}`);
  check(whileRunning.status === 'running', `the first line arrived live, while the run was ${whileRunning.status}`);
  check(!(await page.locator('#run-output').textContent()).includes('last-line'), 'not yet the last line');
  await expect(page.locator('#run-status')).toHaveText('running');
  await screenshot(page, 'run-live');

  await expect(page.locator('#run-status')).toHaveText('done');
  await expect(page.locator('#run-output')).toContainText('last-line');
  await expect(page.locator('#run-live')).toHaveText('Finished: done.');
  const took = await page.locator('#run-duration').textContent();
  check(/^\d+(\.\d)? s$/.test(took) && parseFloat(took) >= 1.4, `duration shown after the end, got "${took}"`);
  await screenshot(page, 'run-done');

  // The automation's list row now shows the run's status.
  await page.getByRole('link', { name: 'Automations' }).first().click();
  await expect(page.locator(`tr[data-id="${a.id}"] [data-label="Last status"]`)).toHaveText('done');
  check(page.problems.length === 0, page.problems.join('\n'));
});
