// A maintenance window skips a run: a window made in the page (a bad time zone first: the
// API's 400 shows by the form and the input stays), active now, `disabled`, covering one
// automation, is listed active and drawn in today's column of the week calendar; Run now of
// that automation is stored `skipped` (API) and the run page and the history say so;
// Deactivate in the page turns it off (API). At 375 px the page does not scroll sideways
// and the calendar is a list of days.
import { run, newPage, signIn, screenshot, check, apiCall, sidewaysOverflow } from './harness.mjs';
import { expect } from './expect.mjs';

// "YYYY-MM-DDTHH:MM" in UTC, for a datetime-local input read in the time zone UTC.
const utcInput = (ms) => new Date(ms).toISOString().slice(0, 16);

await run('maintenance', async ({ daemon, browser }) => {
  const a = await apiCall(daemon, 'POST', '/api/automations', { name: 'NAS scrub', type: 'script', params: { command: 'echo scrub' } });

  const page = await newPage(browser);
  await signIn(page, daemon);
  await page.goto(`${daemon.base}/#/maintenance`);
  await page.getByRole('button', { name: 'New window' }).click();
  await page.getByLabel('Name').fill('Disk swap');
  await page.getByLabel('Start').fill(utcInput(Date.now() - 10 * 60e3));
  await page.getByLabel('End').fill(utcInput(Date.now() + 50 * 60e3));
  await page.getByLabel('Time zone').fill('Mars/Olympus');
  await page.getByRole('checkbox', { name: 'NAS scrub' }).check();
  await page.getByLabel('Autonomy override').selectOption('disabled');
  await page.getByRole('button', { name: 'Create window' }).click();
  await expect(page.locator('#mw-error [role="alert"]')).toContainText("unknown time zone 'Mars/Olympus'");
  check(await page.getByLabel('Name').inputValue() === 'Disk swap', 'the form keeps its input after a 400');
  check(await page.getByLabel('Time zone').getAttribute('aria-invalid') === 'true', 'the field the API names is marked');
  await page.getByLabel('Time zone').fill('UTC');
  await page.getByRole('button', { name: 'Create window' }).click();
  await expect(page.locator('#mw-feedback')).toContainText('Saved Disk swap');

  const [win] = await apiCall(daemon, 'GET', '/api/maintenance');
  check(win && win.name === 'Disk swap' && win.active && win.scope[0] === a.id && win.autonomy_override === 'disabled',
    `the window is stored active with its scope: ${JSON.stringify(win)}`);
  const row = page.locator(`tr[data-id="${win.id}"]`);
  await expect(row.locator('[data-label="Active now"]')).toHaveText('active');
  await expect(row.locator('[data-label="Scope"]')).toHaveText('NAS scrub');
  // The calendar draws it in today's column (the browser's today).
  const today = await page.evaluate(() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; });
  const column = page.locator(`.mcal-day[data-date="${today}"]`);
  await expect(column).toBeVisible();
  check(await column.getAttribute('aria-current') === 'date', 'today is marked in the calendar');
  await expect(column.locator(`[data-window="${win.id}"]`)).toContainText('Disk swap');
  await expect(column.locator(`[data-window="${win.id}"]`)).toContainText('disabled');
  await screenshot(page, 'maintenance');

  // Run now inside the window: skipped, and the run page says why.
  await page.goto(`${daemon.base}/#/`);
  await page.getByRole('button', { name: 'Run NAS scrub now' }).click();
  await expect(page.locator('#run-status')).toHaveText('skipped');
  await expect(page.locator('#run-reason')).toContainText(`maintenance window ${win.id} (Disk swap) is active`);
  const runs = await apiCall(daemon, 'GET', `/api/automations/${a.id}/runs`);
  check(runs.runs.length === 1 && runs.runs[0].status === 'skipped', `the run is stored skipped: ${JSON.stringify(runs.runs[0])}`);
  await page.goto(`${daemon.base}/#/automations/${a.id}`);
  await expect(page.locator('tbody [data-label="Status"]')).toHaveText('skipped');

  // Deactivate from the page.
  await page.goto(`${daemon.base}/#/maintenance`);
  await page.getByRole('button', { name: 'Deactivate Disk swap' }).click();
  await expect(row.locator('[data-label="Active now"]')).toHaveText('not active');
  await expect(row.locator('[data-label="Forced"]')).toHaveText('off for good');
  check((await apiCall(daemon, 'GET', `/api/maintenance/${win.id}`)).active === false, 'inactive in the API');
  await expect(column.locator(`[data-window="${win.id}"]`)).toContainText('switched off');
  check(await page.getByRole('button', { name: 'Activate Disk swap' }).isVisible(), 'Activate is offered again');

  // Phone width: no sideways scrolling; the calendar's days stack as full-width cards.
  const phone = await newPage(browser, { width: 375, height: 740 });
  await signIn(phone, daemon);
  await phone.goto(`${daemon.base}/#/maintenance`);
  await expect(phone.locator(`tr[data-id="${win.id}"]`)).toContainText('Disk swap');
  await expect(phone.locator('.mcal-day').nth(6)).toBeVisible();
  const overflow = await sidewaysOverflow(phone);
  check(overflow <= 0, `no sideways scrolling at 375 px (overflow ${overflow}px)`);
  const [d0, d1] = [await phone.locator('.mcal-day').nth(0).boundingBox(), await phone.locator('.mcal-day').nth(1).boundingBox()];
  check(d1.y > d0.y && d0.width > 300, `the days are stacked at 375 px (${JSON.stringify([d0, d1])})`);
  await screenshot(phone, 'maintenance-375px');
  // The one 400 is the refused time zone above, on purpose; anything else fails.
  const problems = [...page.problems.filter((p) => !/status of 400/.test(p)), ...phone.problems];
  check(problems.length === 0, problems.join('\n'));
});
