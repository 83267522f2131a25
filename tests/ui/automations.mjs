// The automations list: an automation created through the API is listed with its type,
// last status and next fire; Disable/Enable in the page changes it in the API (and a disabled
// one cannot be run from the page); the list is usable at phone width (375 px: no sideways
// scrolling, every action reachable); the history page lists the automation's runs.
import { run, newPage, signIn, screenshot, check, apiCall, sidewaysOverflow } from './harness.mjs';
import { expect } from './expect.mjs';

await run('automations', async ({ daemon, browser }) => {
  const a = await apiCall(daemon, 'POST', '/api/automations', {
    name: 'Nightly report', type: 'script', params: { command: 'echo report' }, schedule: '30 2 * * *' });
  await apiCall(daemon, 'POST', `/api/automations/${a.id}/run?wait=1`);

  const page = await newPage(browser);
  await signIn(page, daemon);
  const row = page.locator(`tr[data-id="${a.id}"]`);
  await expect(row).toContainText('Nightly report');
  await expect(row.locator('[data-label="Type"]')).toHaveText('script');
  await expect(row.locator('[data-label="Last status"]')).toHaveText('done');
  const nextFire = await row.locator('[data-label="Next fire"]').textContent();
  check(/\d/.test(nextFire), `next fire shows a time, got "${nextFire}"`);
  await expect(row.locator('[data-label="Enabled"] .state')).toHaveText('Yes');
  await screenshot(page, 'automations-list');

  // Disable: the API says so, and Run now is off.
  await page.getByRole('button', { name: 'Disable Nightly report' }).click();
  await expect(row.locator('[data-label="Enabled"] .state')).toHaveText('No');
  check((await apiCall(daemon, 'GET', `/api/automations/${a.id}`)).enabled === false, 'disabled in the API');
  check(await page.getByRole('button', { name: 'Run Nightly report now' }).isDisabled(), 'a disabled automation has Run now off');
  // The replace kept everything else (schedule, params).
  const after = await apiCall(daemon, 'GET', `/api/automations/${a.id}`);
  check(after.schedule === '30 2 * * *' && after.params.command === 'echo report', 'enable/disable keeps the other fields');
  // Focus stays on the toggle, now offering the opposite: keyboard users can press it again.
  await page.keyboard.press('Enter');
  await expect(row.locator('[data-label="Enabled"] .state')).toHaveText('Yes');
  check((await apiCall(daemon, 'GET', `/api/automations/${a.id}`)).enabled === true, 'enabled again in the API');

  // History of the automation.
  await row.getByRole('link', { name: 'Nightly report' }).click();
  await expect(page.getByRole('heading', { name: 'Runs of Nightly report' })).toBeVisible();
  check(await page.locator('tbody tr').count() === 1, 'one run in the history');
  await expect(page.locator('tbody [data-label="Status"]')).toHaveText('done');
  await screenshot(page, 'history');

  // Phone width.
  const phone = await newPage(browser, { width: 375, height: 740 });
  await signIn(phone, daemon);
  await expect(phone.locator(`tr[data-id="${a.id}"]`)).toContainText('Nightly report');
  const overflow = await sidewaysOverflow(phone);
  check(overflow <= 0, `no sideways scrolling at 375 px (overflow ${overflow}px)`);
  const runBox = await phone.getByRole('button', { name: 'Run Nightly report now' }).boundingBox();
  check(runBox && runBox.x >= 0 && runBox.x + runBox.width <= 375, 'Run now is on screen at 375 px');
  await screenshot(phone, 'automations-375px');
  check(page.problems.length === 0 && phone.problems.length === 0, [...page.problems, ...phone.problems].join('\n'));
});
