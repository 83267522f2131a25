// The issue's "create an automation from a template, run it and watch the log stream to the
// end", in the browser only: the gallery lists the templates; Apply opens the template's
// form; leaving its required value empty shows the API's 400 at the form; filled in, it
// creates the automation (TCP port check against this daemon's own port: a script that runs
// without root), which is then in the list; Run now opens the run page, which follows the
// log to `done`. A view-only key sees the gallery without Apply, and no New automation/Edit.
import { run, newPage, signIn, screenshot, check, apiCall, unexpectedProblems } from './harness.mjs';
import { expect } from './expect.mjs';

await run('create_from_template', async ({ daemon, browser }) => {
  const port = new URL(daemon.base).port;
  const page = await newPage(browser);
  await signIn(page, daemon);
  await page.getByRole('link', { name: 'Templates' }).click();
  await expect(page.getByRole('heading', { name: 'Templates', level: 1 })).toBeVisible();
  const templates = await apiCall(daemon, 'GET', '/api/automations/templates');
  check(await page.locator('article.template').count() === templates.length, 'one card per template');
  const card = page.locator('article[data-template="port-check"]');
  await expect(card.getByRole('heading', { name: 'TCP port check' })).toBeVisible();
  await expect(card).toContainText('(required)');
  await screenshot(page, 'templates-gallery');

  // Apply: its form; the required port left empty → the API's message at the form.
  await card.getByRole('button', { name: 'Apply TCP port check' }).click();
  check(await card.getByRole('button', { name: 'Apply TCP port check' }).getAttribute('aria-expanded') === 'true', 'Apply is expanded');
  await card.getByLabel('Name of the new automation').fill('Check the daemon port');
  await card.getByRole('button', { name: 'Create automation' }).click();
  await expect(card.getByRole('alert')).toHaveText(/values\.port: required parameter\(s\) missing: port/);
  check(await card.getByRole('spinbutton', { name: /^port/ }).getAttribute('aria-invalid') === 'true', 'the port field is marked');
  check(await card.getByLabel('Name of the new automation').inputValue() === 'Check the daemon port', 'the input is kept');
  await card.getByRole('spinbutton', { name: /^port/ }).fill(port);
  await screenshot(page, 'template-apply-form');
  await card.getByRole('button', { name: 'Create automation' }).click();
  await page.waitForURL(/#\/automations\/auto_/);
  await expect(page.getByRole('heading', { name: 'Runs of Check the daemon port' })).toBeVisible();
  const id = page.url().split('#/automations/')[1];
  const made = await apiCall(daemon, 'GET', `/api/automations/${id}`);
  check(made.type === 'script' && made.params.command.includes(`/127.0.0.1/${port}`), `the template's command with the port: ${made.params.command}`);

  // In the list; Run now; the run page streams the log to the end.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
  await expect(page.locator(`tr[data-id="${id}"]`)).toContainText('Check the daemon port');
  await page.getByRole('button', { name: 'Run Check the daemon port now' }).click();
  await page.waitForURL(/#\/runs\/run_/);
  await expect(page.locator('#run-status')).toHaveText('done');
  await expect(page.locator('#run-output')).toContainText(`127.0.0.1:${port} is open`);
  await expect(page.locator('#run-live')).toHaveText('Finished: done.');
  await screenshot(page, 'template-run-done');

  const viewer = await apiCall(daemon, 'POST', '/api/keys', { name: 'viewer', role: 'view-only' });
  const view = await newPage(browser);
  await signIn(view, daemon, viewer.key);
  await expect(view.locator(`tr[data-id="${id}"]`)).toContainText('Check the daemon port');
  check(await view.getByRole('link', { name: 'New automation' }).count() === 0, 'view-only: no New automation');
  await view.locator(`tr[data-id="${id}"]`).getByRole('link').click();
  await expect(view.getByRole('heading', { name: 'Runs of Check the daemon port' })).toBeVisible();
  check(await view.getByRole('link', { name: /^Edit/ }).count() === 0, 'view-only: no Edit');
  await view.getByRole('link', { name: 'Templates' }).click();
  await expect(view.locator('article.template').first()).toBeVisible();
  check(await view.getByRole('button', { name: /^Apply/ }).count() === 0, 'view-only: no Apply');
  const problems = [...unexpectedProblems(page), ...view.problems];
  check(problems.length === 0, problems.join('\n'));
});
