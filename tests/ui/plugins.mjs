// The plugins page: every plugin file the daemon looked at, the built-in ones loaded with
// their schemas readable (a table of the properties, opened from the keyboard, and the raw
// JSON Schema), and a file that is not a plugin refused with the daemon's load error.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, newPage, signIn, screenshot, check, apiCall } from './harness.mjs';
import { expect } from './expect.mjs';

// An extra plugin directory (the setting plugin_dir, which the daemon reads from
// STEWARD_PLUGIN_DIR) holding a text file named like a plugin, as tests/test_plugins/garbage.txt.
const dir = mkdtempSync(join(tmpdir(), 'steward-ui-plugins-'));
const broken = join(dir, 'broken.so');
writeFileSync(broken, 'This is not an ELF shared object, only a text file whose name ends in .so.\n');
process.env.STEWARD_PLUGIN_DIR = dir;

await run('plugins', async ({ daemon, browser }) => {
  const { plugins } = await apiCall(daemon, 'GET', '/api/plugins');
  const page = await newPage(browser);
  await signIn(page, daemon);
  await page.getByRole('link', { name: 'Plugins' }).click();
  await expect(page.getByRole('heading', { name: 'Plugins' })).toBeVisible();
  await expect(page.locator('#plugin-count')).toHaveText(
    `${plugins.length} plugin files found at start: ${plugins.length - 1} loaded, 1 refused.`);

  // The refused file comes first, with the daemon's reason.
  const refused = page.locator('.plugin-list > li').first();
  check(await refused.getAttribute('data-file') === broken, 'the refused file is listed first');
  await expect(refused.locator('.badge')).toHaveText('refused');
  await expect(refused.locator('.load-error')).toContainText(`cannot be loaded: ${broken}`);

  // bash: loaded, a tool; its args schema opens from the keyboard.
  const bash = page.locator('li[data-name="bash"]');
  await expect(bash.locator('.badge')).toHaveText('loaded');
  await expect(bash.locator('.plugin-facts')).toContainText('tool · version 1.0.0');
  await bash.locator('summary', { hasText: 'Args of bash' }).focus();
  await page.keyboard.press('Enter');
  const command = bash.locator('tr[data-property="command"]');
  await expect(command).toBeVisible();
  await expect(command.locator('[data-label="Type"]')).toContainText('string');
  await expect(command.locator('[data-label="Required"]')).toHaveText('yes');
  await expect(command.locator('[data-label="Description"]')).toContainText('SHELL -c COMMAND');
  await expect(bash.locator('tr[data-property="shell"] [data-label="Default"]')).toHaveText('"bash"');
  await expect(bash.locator('tr[data-property="shell"] [data-label="Type"]')).toContainText('one of "bash", "sh"');
  await expect(bash.locator('tr[data-property="cwd"] [data-label="Required"]')).toHaveText('no');
  // The raw schema is the API's, whole.
  await bash.locator('summary', { hasText: 'Raw JSON Schema' }).click();
  const raw = JSON.parse(await bash.locator('pre.json-view').textContent());
  const api = plugins.find((p) => p.name === 'bash').args_schema;
  check(JSON.stringify(raw) === JSON.stringify(api), 'the raw JSON Schema is the one the API gives');

  // The built-in automation types, with their params; nested properties are flattened.
  for (const name of ['script', 'sequence']) {
    const card = page.locator(`li[data-name="${name}"]`);
    await expect(card.locator('.badge')).toHaveText('loaded');
    await expect(card.locator('.plugin-facts')).toContainText('automation type');
  }
  const sequence = page.locator('li[data-name="sequence"]');
  await sequence.locator('summary', { hasText: 'Params of sequence' }).click();
  await expect(sequence.locator('tr[data-property="steps[].tool"] [data-label="Required"]')).toHaveText('yes');
  await expect(sequence.locator('tr[data-property="steps"] [data-label="Type"]')).toContainText('array of object');
  await screenshot(page, 'plugins');
  check(page.problems.length === 0, page.problems.join('\n'));
});
rmSync(dir, { recursive: true, force: true });
