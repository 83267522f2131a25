// Create and edit automations with the form built from the type's JSON Schema: a `script`
// automation made in the form (a typed command; the schedule shows its next fires) is in
// the list and has exactly those params in the API; Edit changes the command in the API; a
// bad schedule gets the API's 400 message at the form, which keeps the input; a running run
// (`sleep 30`) is cancelled from its run page and ends `cancelled`; a history of 52 runs
// shows 50 and pages to the older 2; Delete (after its confirm step) removes the automation;
// at 375 px the form does not scroll sideways, and a `sequence` (array of step objects, JSON
// args) made there has the steps in the API.
import { run, newPage, signIn, screenshot, check, apiCall, unexpectedProblems, sidewaysOverflow } from './harness.mjs';
import { expect } from './expect.mjs';

await run('automation_form', async ({ daemon, browser }) => {
  const page = await newPage(browser);
  await signIn(page, daemon);
  await page.getByRole('link', { name: 'New automation' }).click();
  await expect(page.getByRole('heading', { name: 'New automation' })).toBeVisible();
  check(await page.getByLabel('Type (required)', { exact: true }).inputValue() === 'script', 'script is the first type offered');
  await page.getByLabel('Name (required)', { exact: true }).fill('Disk report');
  await page.getByRole('textbox', { name: /^command/ }).fill('df -h / && echo checked');
  await page.getByLabel('Schedule', { exact: true }).fill('30 2 * * *');
  await page.getByLabel('Time zone').fill('Europe/Berlin');
  const fires = page.locator('#schedule-preview li');
  await expect(page.locator('#schedule-preview')).toContainText('Next fires (Europe/Berlin)');
  check(await fires.count() === 3, 'three next fires');
  check(/02:30/.test(await fires.first().textContent()), `fires at 02:30 Berlin time: ${await fires.first().textContent()}`);
  check(!/\bnull\b/.test(await page.locator('main').innerText()), 'no stray "null" on the form');
  await screenshot(page, 'automation-form');
  await page.getByRole('button', { name: 'Create automation' }).click();
  await page.waitForURL(/#\/automations\/auto_/);
  await expect(page.getByRole('heading', { name: 'Runs of Disk report' })).toBeVisible();
  check(!/\bnull\b/.test(await page.locator('main').innerText()), 'no stray "null" on the history page');
  const id = page.url().split('#/automations/')[1];
  let a = await apiCall(daemon, 'GET', `/api/automations/${id}`);
  check(a.type === 'script' && JSON.stringify(a.params) === JSON.stringify({ command: 'df -h / && echo checked' }),
        `only the typed param is sent: ${JSON.stringify(a.params)}`);
  check(a.schedule === '30 2 * * *' && a.timezone === 'Europe/Berlin' && a.enabled === true, 'schedule, zone, enabled');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
  await expect(page.locator(`tr[data-id="${id}"] [data-label="Type"]`)).toHaveText('script');

  // Edit: change the command; the API has the change and the rest as it was.
  await page.goto(`${daemon.base}/#/automations/${id}`);
  await page.getByRole('link', { name: 'Edit Disk report' }).click();
  await expect(page.getByRole('heading', { name: 'Edit Disk report' })).toBeVisible();
  await page.getByRole('textbox', { name: /^command/ }).fill('df -h / && echo edited');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.waitForURL(new RegExp(`#/automations/${id}$`));
  a = await apiCall(daemon, 'GET', `/api/automations/${id}`);
  check(a.params.command === 'df -h / && echo edited' && a.schedule === '30 2 * * *', `edited in the API: ${JSON.stringify(a)}`);

  // A bad schedule: the preview says so, the API's 400 is shown at the form, input kept.
  await page.goto(`${daemon.base}/#/automations/${id}/edit`);
  await page.getByLabel('Schedule', { exact: true }).fill('61 * * * *');
  await expect(page.locator('#schedule-preview')).toContainText('minute 61 out of range');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('alert')).toHaveText('schedule: minute 61 out of range 0-59');
  check(await page.getByLabel('Schedule', { exact: true }).getAttribute('aria-invalid') === 'true', 'the schedule field is marked');
  check(await page.getByLabel('Schedule', { exact: true }).inputValue() === '61 * * * *', 'the typed schedule is kept');
  check(await page.getByRole('textbox', { name: /^command/ }).inputValue() === 'df -h / && echo edited', 'the rest is kept');
  check(page.url().endsWith(`/${id}/edit`), 'still on the form');
  check((await apiCall(daemon, 'GET', `/api/automations/${id}`)).schedule === '30 2 * * *', 'nothing saved');

  // Cancel a running run from its run page.
  const slow = await apiCall(daemon, 'POST', '/api/automations', { name: 'Sleeper', type: 'script', params: { command: 'echo sleeping; sleep 30' } });
  await page.goto(`${daemon.base}/#/`);
  await page.getByRole('button', { name: 'Run Sleeper now' }).click();
  await page.waitForURL(/#\/runs\/run_/);
  const runId = page.url().split('#/runs/')[1];
  await expect(page.locator('#run-output')).toContainText('sleeping');
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.locator('#run-status')).toHaveText('cancelled');
  await expect(page.locator('#run-live')).toHaveText('Finished: cancelled.');
  check(await page.getByRole('button', { name: /Cancel/ }).count() === 0, 'no Cancel once it has ended');
  const ended = await apiCall(daemon, 'GET', `/api/automations/runs/${runId}`);
  check(ended.status === 'cancelled' && ended.automation_id === slow.id, `cancelled in the API: ${ended.status}`);
  await expect(page.locator('#run-reason')).toContainText('cancelled by');
  await screenshot(page, 'run-cancelled');

  // History paging: 50 runs a page, "Older runs" for the rest, "Newer runs" back.
  const many = await apiCall(daemon, 'POST', '/api/automations', { name: 'Many runs', type: 'script', params: { command: 'true' } });
  await Promise.all(Array.from({ length: 52 }, () => apiCall(daemon, 'POST', `/api/automations/${many.id}/run`)));
  await page.goto(`${daemon.base}/#/automations/${many.id}`);
  await expect(page.locator('#runs-title')).toHaveText('Runs 1–50, newest first');
  check(await page.locator('tbody tr').count() === 50, 'the first page has 50 runs');
  check(await page.getByRole('button', { name: 'Newer runs' }).count() === 0, 'no newer runs on the first page');
  const newest = await page.locator('tbody tr th').first().textContent();
  await page.getByRole('button', { name: 'Older runs' }).click();
  await expect(page.locator('#runs-title')).toHaveText('Runs 51–52, newest first');
  check(await page.locator('tbody tr').count() === 2, 'the older page has the other 2');
  check(await page.evaluate(() => document.activeElement.id) === 'runs-title', 'focus on the page heading');
  check(await page.getByRole('button', { name: 'Older runs' }).count() === 0, 'no older runs after the last page');
  await page.getByRole('button', { name: 'Newer runs' }).click();
  await expect(page.locator('#runs-title')).toHaveText('Runs 1–50, newest first');
  check(await page.locator('tbody tr th').first().textContent() === newest, 'back to the newest');

  // Delete, with its confirm step ("Keep it" keeps it).
  await page.goto(`${daemon.base}/#/automations/${id}/edit`);
  await page.getByRole('button', { name: 'Delete automation…' }).click();
  await page.getByRole('button', { name: 'Keep it' }).click();
  await page.getByRole('button', { name: 'Delete automation…' }).click();
  await expect(page.getByRole('group', { name: /Delete “Disk report” for good/ })).toBeVisible();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await page.waitForURL(/#\/$/);
  await expect(page.locator(`tr[data-id="${many.id}"]`)).toContainText('Many runs');
  check(await page.locator(`tr[data-id="${id}"]`).count() === 0, 'gone from the list');
  check((await apiCall(daemon, 'GET', '/api/automations')).every((x) => x.id !== id), 'gone from the API');

  // Phone width: the form fits; a sequence made there keeps its steps.
  const phone = await newPage(browser, { width: 375, height: 740 });
  await signIn(phone, daemon);
  await phone.getByRole('link', { name: 'New automation' }).click();
  await phone.getByLabel('Type (required)', { exact: true }).selectOption('sequence');
  await expect(phone.getByRole('group', { name: 'Step 1' })).toBeVisible();
  await phone.getByLabel('Name (required)', { exact: true }).fill('Two steps');
  await phone.getByRole('textbox', { name: /^tool/ }).fill('bash');
  await phone.getByRole('textbox', { name: /^args/ }).fill('{"command": "echo one"}');
  await phone.getByRole('button', { name: 'Add step' }).click();
  const second = phone.getByRole('group', { name: 'Step 2' });
  await second.getByRole('textbox', { name: /^tool/ }).fill('system_info');
  await second.getByRole('checkbox', { name: 'continue_on_error' }).check();
  const overflow = await sidewaysOverflow(phone);
  check(overflow <= 0, `no sideways scrolling at 375 px (overflow ${overflow}px)`);
  await screenshot(phone, 'automation-form-375px');
  await phone.getByRole('button', { name: 'Create automation' }).click();
  await phone.waitForURL(/#\/automations\/auto_/);
  const seq = await apiCall(daemon, 'GET', `/api/automations/${phone.url().split('#/automations/')[1]}`);
  check(JSON.stringify(seq.params.steps) === JSON.stringify([{ args: { command: 'echo one' }, tool: 'bash' }, { continue_on_error: true, tool: 'system_info' }]),
        `the steps in the API: ${JSON.stringify(seq.params.steps)}`);
  const problems = [...unexpectedProblems(page), ...unexpectedProblems(phone)];
  check(problems.length === 0, problems.join('\n'));
});
