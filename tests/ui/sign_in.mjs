// Sign-in: a bad key is refused with a clear message and stays signed out; the printed admin
// key signs in (the header names the key from GET /api/keys/self) and survives a reload
// (sessionStorage); a view-only key sees the list without run or enable buttons; sign-out
// forgets the key.
import { run, newPage, signIn, screenshot, check, apiCall } from './harness.mjs';
import { expect } from './expect.mjs';

await run('sign_in', async ({ daemon, browser }) => {
  const page = await newPage(browser);
  await signIn(page, daemon, 'stw_' + 'a'.repeat(48));
  await expect(page.getByRole('alert')).toHaveText(/refused: it is unknown, revoked or expired/);
  check(await page.evaluate(() => sessionStorage.getItem('steward.key')) === null, 'a refused key is not kept');
  check(await page.getByRole('heading', { name: 'Automations' }).count() === 0, 'no data page for a bad key');
  await screenshot(page, 'sign-in-refused');

  await page.getByLabel('API key').fill(daemon.key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Automations' })).toBeVisible();
  await expect(page.locator('#who-name')).toHaveText(/admin/);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Automations' })).toBeVisible();
  await screenshot(page, 'automations-empty');

  // What a view-only key may not do, the page does not offer.
  const created = await apiCall(daemon, 'POST', '/api/automations', { name: 'Visible', type: 'script', params: { command: 'true' } });
  const viewer = await apiCall(daemon, 'POST', '/api/keys', { name: 'viewer', role: 'view-only' });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('API key')).toBeVisible();
  check(await page.evaluate(() => sessionStorage.getItem('steward.key')) === null, 'sign-out forgets the key');
  await signIn(page, daemon, viewer.key);
  await expect(page.locator(`tr[data-id="${created.id}"]`)).toContainText('Visible');
  check(await page.getByRole('button', { name: /Run .* now/ }).count() === 0, 'view-only: no run button');
  check(await page.getByRole('button', { name: /^(Enable|Disable) / }).count() === 0, 'view-only: no enable/disable');
  await screenshot(page, 'automations-view-only');
  check(page.problems.length === 0, page.problems.join('\n'));
});
