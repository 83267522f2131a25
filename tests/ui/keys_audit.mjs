// Keys and the audit log: a key created in the page is shown once (with a copy button that
// copies it) and never again; it signs in in a second page, where a view-only key has no
// Keys or Audit menu entries; revoked in the page (confirmed in place), it stops working
// there at once; the audit log lists the creation and the revoke, filters by action, and
// pages through older entries.
import { run, newPage, signIn, screenshot, check, apiCall } from './harness.mjs';
import { expect } from './expect.mjs';

await run('keys_audit', async ({ daemon, browser }) => {
  const page = await newPage(browser);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: daemon.base });
  await signIn(page, daemon);
  await page.goto(`${daemon.base}/#/keys`);
  await page.getByLabel('Name (who holds it)').fill('grafana');
  await page.getByLabel('Role').selectOption('view-only');
  await page.getByRole('button', { name: 'Create key' }).click();
  const panel = page.locator('.new-key');
  await expect(panel).toContainText('It is shown only now');
  const secret = await page.getByLabel('The key').inputValue();
  check(/^stw_[a-z2-7]+$/.test(secret), `the new key is shown: ${secret}`);
  await panel.getByRole('button', { name: 'Copy' }).click();
  await expect(panel.getByRole('status')).toHaveText('Copied to the clipboard.');
  check(await page.evaluate(() => navigator.clipboard.readText()) === secret, 'Copy puts the key on the clipboard');
  const created = (await apiCall(daemon, 'GET', '/api/keys')).keys.find((k) => k.name === 'grafana');
  check(created && created.role === 'view-only' && created.revoked === null, 'the key exists in the API');
  const row = page.locator(`tr[data-id="${created.id}"]`);
  await expect(row.locator('[data-label="State"]')).toHaveText('active');
  await screenshot(page, 'keys');
  // Shown once: hidden, it is nowhere in the page, nor after a reload.
  await panel.getByRole('button', { name: 'Done, hide the key' }).click();
  check(!(await page.content()).includes(secret), 'the secret is gone from the page');
  await page.reload();
  await expect(row).toContainText('grafana');
  check(!(await page.content()).includes(secret), 'the secret is not shown again');

  // The new key signs in in a second page; view-only: no Keys or Audit in the menu.
  const second = await newPage(browser);
  await signIn(second, daemon, secret);
  await expect(second.locator('#who-name')).toContainText('grafana (view-only)');
  const menu = await second.locator('#nav a').allTextContents();
  check(menu.includes('Automations') && !menu.includes('Keys') && !menu.includes('Audit'), `view-only menu: ${menu}`);

  // Revoke in the page, confirmed in place; the second page, left open on a page that
  // refreshes by itself (devices), is signed out by its next refresh without a click.
  await second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Devices' }).click();
  await expect(second.getByRole('heading', { name: 'Devices' })).toBeVisible();
  await row.getByRole('button', { name: `Revoke grafana (${created.id})` }).click();
  await row.getByRole('button', { name: 'Yes, revoke grafana' }).click();
  await expect(row.locator('[data-label="State"]')).toContainText('revoked');
  check((await apiCall(daemon, 'GET', '/api/keys')).keys.find((k) => k.id === created.id).revoked !== null, 'revoked in the API');
  await expect(second.getByRole('alert')).toContainText('The key stopped working');
  await expect(second.getByLabel('API key')).toBeVisible();
  check(await second.evaluate(() => sessionStorage.getItem('steward.key')) === null, 'the refused key is forgotten');

  // Enough refused requests (auth.denied) for a second page of 25.
  await Promise.all(Array.from({ length: 26 }, () => fetch(`${daemon.base}/api/automations`, { headers: { Authorization: 'Bearer stw_wrong' } })));

  await page.goto(`${daemon.base}/#/audit`);
  const entries = page.locator('.audit-table tbody tr');
  const revoke = entries.filter({ hasText: 'DELETE /api/keys/{key_id}' }).filter({ hasText: created.id });
  await expect(revoke.locator('[data-label="Outcome"]')).toHaveText('200');
  await expect(revoke.locator('[data-label="Who"]')).toHaveText('admin');
  await expect(entries.filter({ hasText: 'POST /api/keys' }).locator('[data-label="Outcome"]')).toHaveText('201');
  await screenshot(page, 'audit');

  // Filter by action (a prefix): only the key changes.
  await page.getByLabel('What (starts with)').fill('POST /api/keys');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.locator('#audit-page')).toHaveText('Entries 1–1, newest first.');
  await expect(entries.first().locator('[data-label="What"]')).toHaveText('POST /api/keys');
  // Paging: 25 a page, newest first; Older shows the rest.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.getByLabel('Per page').selectOption('25');
  await expect(page.locator('#audit-page')).toHaveText('Entries 1–25, newest first.');
  check(await page.getByRole('button', { name: 'Newer' }).isDisabled(), 'no newer page on the first');
  const firstSeq = Number(await entries.first().getAttribute('data-seq'));
  await page.getByRole('button', { name: 'Older' }).click();
  await expect(page.locator('#audit-page')).toContainText('Entries 26–');
  check(Number(await entries.first().getAttribute('data-seq')) < firstSeq - 24, 'the older page starts 25 entries further back');
  check(page.problems.length === 0 && second.problems.length === 0, [...page.problems, ...second.problems].join('\n'));
});
