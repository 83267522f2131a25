// The README's "Five minutes with Steward", done entirely in the browser by a new user with
// the printed admin key: a `script` automation made in the form, run, its output followed
// to `done`; a two-step `sequence` where the first step may fail; a view-only key made and
// revoked on the Keys page; the plugins page. Then every page of the menu opens without a
// console error, at desktop and at phone width (no sideways scroll), with a screenshot of
// each; and the style sheet's page sections all sit at its top level (two sections merged
// into one @media block once, which no page test noticed).
import { run, newPage, signIn, screenshot, check, apiCall, sidewaysOverflow } from './harness.mjs';
import { expect } from './expect.mjs';

// Every `/* == section == */` header must be at brace depth 0; braces must balance.
function checkStyleSections(css) {
  let depth = 0;
  const headers = [];
  for (let i = 0; i < css.length; i++) {
    if (css.startsWith('/*', i)) {
      const end = css.indexOf('*/', i + 2);
      check(end !== -1, 'style.css: an unclosed comment');
      if (css.startsWith('/* ==', i)) headers.push({ depth, text: css.slice(i, css.indexOf('\n', i)) });
      i = end + 1;
    } else if (css[i] === '{') depth++;
    else if (css[i] === '}') { depth--; check(depth >= 0, `style.css: a '}' without its '{' at offset ${i}`); }
  }
  check(depth === 0, `style.css: ${depth} block(s) left open`);
  for (const h of headers) check(h.depth === 0, `style.css: section "${h.text}" sits inside a block (depth ${h.depth})`);
  check(headers.length >= 4, `style.css has its page sections (found ${headers.length})`);
}

await run('walkthrough', async ({ daemon, browser }) => {
  checkStyleSections(await (await fetch(`${daemon.base}/ui/style.css`)).text());

  const page = await newPage(browser);
  await signIn(page, daemon);
  await expect(page.getByRole('heading', { name: 'Automations' })).toBeVisible();

  // 1. "Disk report": a script automation, run now, the output followed to the end.
  await page.getByRole('link', { name: 'New automation' }).click();
  await page.getByLabel('Name (required)', { exact: true }).fill('Disk report');
  await page.getByRole('textbox', { name: /^command/ }).fill('df -h /');
  await page.getByRole('button', { name: 'Create automation' }).click();
  await page.waitForURL(/#\/automations\/auto_/);
  const id = page.url().split('#/automations/')[1];
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
  await page.getByRole('button', { name: 'Run Disk report now' }).click();
  await page.waitForURL(/#\/runs\/run_/);
  await expect(page.locator('#run-status')).toHaveText('done');
  await expect(page.locator('#run-output')).toContainText('Filesystem');
  const runId = page.url().split('#/runs/')[1];
  const stored = await apiCall(daemon, 'GET', `/api/automations/runs/${runId}`);
  check(stored.automation_id === id && stored.status === 'done' && /Filesystem/.test(stored.output),
        `the run the page showed is the stored one: ${stored.status}`);
  await screenshot(page, 'walkthrough-run');

  // 2. "Check then report": two steps, the first allowed to fail (nothing listens on :9).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
  await page.getByRole('link', { name: 'New automation' }).click();
  await page.getByLabel('Type (required)', { exact: true }).selectOption('sequence');
  await page.getByLabel('Name (required)', { exact: true }).fill('Check then report');
  const first = page.getByRole('group', { name: 'Step 1' });
  await first.getByRole('textbox', { name: /^tool/ }).fill('bash');
  await first.getByRole('textbox', { name: /^args/ }).fill('{"command": "curl -fsS localhost:9/health"}');
  await first.getByRole('checkbox', { name: 'continue_on_error' }).check();
  await page.getByRole('button', { name: 'Add step' }).click();
  const second = page.getByRole('group', { name: 'Step 2' });
  await second.getByRole('textbox', { name: /^tool/ }).fill('bash');
  await second.getByRole('textbox', { name: /^args/ }).fill('{"command": "uptime"}');
  await page.getByRole('button', { name: 'Create automation' }).click();
  await page.waitForURL(/#\/automations\/auto_/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Automations' }).click();
  await page.getByRole('button', { name: 'Run Check then report now' }).click();
  await page.waitForURL(/#\/runs\/run_/);
  await expect(page.locator('#run-status')).toHaveText(/done|failed/);
  await expect(page.locator('#run-output')).toContainText('load average');

  // 3. A key for Grafana (view-only): shown once, then revoked.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
  await page.getByLabel('Name (who holds it)').fill('grafana');
  await page.getByLabel('Role').selectOption('view-only');
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = await page.getByLabel('The key').inputValue();
  check(/^stw_/.test(secret), 'the new key is shown');
  await page.locator('.new-key').getByRole('button', { name: 'Done, hide the key' }).click();
  const made = (await apiCall(daemon, 'GET', '/api/keys')).keys.find((k) => k.name === 'grafana');
  check(made && made.role === 'view-only', 'the key exists in the API');
  const row = page.locator(`tr[data-id="${made.id}"]`);
  await row.getByRole('button', { name: `Revoke grafana (${made.id})` }).click();
  await row.getByRole('button', { name: 'Yes, revoke grafana' }).click();
  await expect(row.locator('[data-label="State"]')).toContainText('revoked');

  // 4. Which plugins were found, loaded or refused.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Plugins' }).click();
  await expect(page.locator('main')).toContainText('bash');
  await expect(page.locator('main')).toContainText('loaded');

  // Every page of the menu, at desktop and phone width: it opens, says what it is, and
  // has no console error; at 375 px nothing scrolls sideways.
  const phone = await newPage(browser, { width: 375, height: 740 });
  await signIn(phone, daemon);
  await expect(phone.getByRole('heading', { name: 'Automations' })).toBeVisible();
  const entries = await page.locator('#nav a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  check(entries.length === 10, `an admin sees the whole menu: ${entries.map((e) => e[0]).join(', ')}`);
  for (const [name, href] of entries) {
    for (const [p, suffix] of [[page, ''], [phone, '-375px']]) {
      await p.goto(`${daemon.base}/${href}`);
      await expect(p.locator('main h1')).toBeVisible();
      const title = await p.locator('main h1').first().textContent();
      check(!/Not found|Not built yet/.test(title), `${name}: a real page (got "${title}")`);
      check(await p.locator(`#nav a[href="${href}"]`).getAttribute('aria-current') === 'page', `${name} is marked in the menu`);
      if (suffix) {
        const overflow = await sidewaysOverflow(p);
        check(overflow <= 0, `${name} at 375 px: no sideways scrolling (overflow ${overflow}px)`);
      }
      await screenshot(p, `page-${name.toLowerCase()}${suffix}`);
    }
  }
  const problems = [...page.problems, ...phone.problems];
  check(problems.length === 0, problems.join('\n'));
});
