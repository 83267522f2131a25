// Devices, end to end with a real agent: a pairing code made in the page (with its live
// countdown and the agent command line) pairs a real `steward agent` process; the device
// shows up pending and online, Approve in the page approves it; its health charts get points
// (health every second: the daemon setting device_health_interval_s); a command executed from
// the device page (form and JSON) shows its output; a group made in the page runs a command
// on it; Block blocks it; Revoke asks first; a view-only key sees no buttons; at 375 px
// nothing scrolls sideways; 51 devices are listed 50 a page, with one health request a page.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, newPage, signIn, screenshot, check, apiCall, sidewaysOverflow } from './harness.mjs';
import { expect } from './expect.mjs';

// The daemon inherits this (STEWARD_<SETTING>): agents are told to report health every second;
// pairing claims are not rate-limited (the paging check pairs 50 more devices at once).
process.env.STEWARD_DEVICE_HEALTH_INTERVAL_S = '1';
process.env.STEWARD_PAIRING_CLAIMS_PER_MINUTE = '1000';
process.env.STEWARD_PAIRING_CLAIMS_GLOBAL_PER_MINUTE = '1000';

// `steward …` to its end; its exit code and stderr.
function steward(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.env.STEWARD_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, err }));
  });
}

const points = (locator) => locator.evaluate((el) => Number(el.getAttribute('data-points')));

await run('devices', async ({ daemon, browser }) => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-ui-agent-'));
  let agent = null;
  let agentLog = '';
  try {
    const page = await newPage(browser);
    await signIn(page, daemon);
    await page.getByRole('link', { name: 'Devices' }).click();
    await expect(page.getByRole('heading', { name: 'Devices', exact: true })).toBeVisible();

    // Pairing: the code, a countdown that moves, and the commands to type on the device.
    await page.getByRole('button', { name: 'Pair a device' }).click();
    const code = (await page.locator('#pairing-code').textContent()).trim();
    check(/^\d{6}$/.test(code), `a 6-digit code, got "${code}"`);
    const left = await page.locator('#pairing-left').textContent();
    check(/^[45]:\d\d$/.test(left), `about 5 minutes left, got "${left}"`);
    const commands = (await page.locator('#pairing-command').textContent()).split('\n');
    const port = new URL(daemon.base).port;
    check(commands[0] === `steward agent pair --host 127.0.0.1 --port ${port} --code ${code} --name NAME`, `pair command: ${commands[0]}`);
    check(commands[1] === 'steward agent run', `run command: ${commands[1]}`);

    // On "the device": the page's command, with a name and a config file of the test's own.
    // Meanwhile the countdown moves on.
    const config = join(dir, 'agent.json');
    const pairArgs = commands[0].split(' ').slice(1).map((a) => (a === 'NAME' ? 'web1' : a));
    const pairing = steward([...pairArgs, '--config', config]);
    await page.waitForFunction((was) => document.querySelector('#pairing-left').textContent !== was, left, { timeout: 3000 });
    await screenshot(page, 'devices-pairing');
    const paired = await pairing;
    check(paired.code === 0, `steward agent pair exits 0: ${paired.err}`);
    const id = JSON.parse(readFileSync(config, 'utf8')).device_id;
    agent = spawn(process.env.STEWARD_BINARY, ['agent', 'run', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    agent.stderr.on('data', (d) => { agentLog += d; });

    // Pending and online, then approved from the page.
    const row = page.locator(`tr[data-id="${id}"]`);
    await expect(row.locator('[data-label="Status"]')).toContainText('pending');
    await expect(row.locator('[data-label="Status"]')).toContainText('online');
    await expect(row.locator('[data-label="Platform"]')).toContainText('Linux');
    await page.getByRole('button', { name: 'Approve web1' }).click();
    await expect(row.locator('[data-label="Status"]')).toContainText('approved');
    check((await apiCall(daemon, 'GET', `/api/devices/${id}`)).status === 'approved', 'approved in the API');
    check(await row.getByRole('button', { name: 'Approve web1' }).count() === 0, 'no Approve button once approved');
    const memory = await row.locator('svg[data-metric="memory_percent"]').getAttribute('aria-label');
    check(/^Memory [\d.]+ % now, max [\d.]+ % in the last hour$/.test(memory), `the list's memory chart: "${memory}"`);
    await screenshot(page, 'devices-list');

    // The device page: health over time (a sample a second), then execute from the form.
    await row.getByRole('link', { name: 'web1' }).click();
    await expect(page.getByRole('heading', { name: 'web1' })).toBeVisible();
    const cpu = page.locator('#device-health svg[data-metric="cpu_percent"]');
    await expect(cpu).toBeVisible();
    check(await points(cpu) >= 2, `the CPU chart has points over time, got ${await points(cpu)}`);
    const cpuText = await cpu.getAttribute('aria-label');
    check(/^CPU [\d.]+ % now, max [\d.]+ % in the last hour$/.test(cpuText), `text alternative: "${cpuText}"`);
    check(await page.locator('#device-health svg[data-metric="cpu_percent"] path.spark-line').count() === 1, 'a line is drawn');

    check(await page.getByLabel('Tool').inputValue() === 'bash', 'bash is the default tool');
    await page.getByLabel('command (required)').fill('echo hello-from-$((40+2))');
    await page.getByRole('button', { name: 'Execute' }).click();
    const result = page.locator('#execute-result');
    await expect(result).toContainText('hello-from-42');   // the shell on the agent ran it
    await expect(result.locator('.badge')).toHaveText('completed');
    await expect(page.locator('#device-executions tbody tr').first()).toContainText('completed');

    // The same call as JSON: the form's values carry over; a bad JSON is refused in the page.
    await page.getByLabel('Write the args as JSON').check();
    const json = page.getByLabel('Args (a JSON object)');
    check(JSON.parse(await json.inputValue()).command === 'echo hello-from-$((40+2))', 'the form carried over into JSON');
    await json.fill('{"command": ');
    await page.getByRole('button', { name: 'Execute' }).click();
    await expect(page.locator('form.tool-call [role="alert"]')).toContainText('not valid JSON');
    await json.fill('{"command": "echo failing; exit 3"}');
    await page.getByRole('button', { name: 'Execute' }).click();
    await expect(result.locator('.badge')).toHaveText('failed');
    await expect(result).toContainText('exit code 3');
    check(await page.locator('form.tool-call [role="alert"]').count() === 0, 'the old error went');
    await screenshot(page, 'device-page');

    // A group: created in the page (a second one with the same name is refused with the API's
    // message, the input kept), the device added, a command run on every member.
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByLabel('Name', { exact: true }).fill('web');
    await page.getByRole('button', { name: 'Create group' }).click();
    const group = page.locator('section.group', { hasText: 'web' });
    await expect(group.getByRole('heading', { name: 'web' })).toBeVisible();
    await page.getByLabel('Name', { exact: true }).fill('web');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect(page.locator('form.create-group [role="alert"]')).toContainText('web');
    check(await page.getByLabel('Name', { exact: true }).inputValue() === 'web', 'the refused name stays in the form');
    await group.getByLabel('Add a device to web').selectOption(id);
    await group.getByRole('button', { name: 'Add' }).click();
    await expect(page.locator('section.group ul.members')).toContainText('web1');
    check((await apiCall(daemon, 'GET', '/api/device-groups')).groups[0].members[0] === id, 'member in the API');
    await page.locator('section.group summary', { hasText: 'Run a tool' }).click();
    await page.locator('section.group').getByLabel('command (required)').fill('echo group-$((1+1))');
    await page.getByRole('button', { name: 'Run on the group' }).click();
    const results = page.locator('section.group .group-results');
    await expect(results.locator('.summary')).toContainText('1 completed, 0 failed, 0 offline, 0 skipped (of 1)');
    await expect(results.locator(`tr[data-device="${id}"]`)).toContainText('group-2');
    await screenshot(page, 'groups');

    // Block from the device page; Revoke asks first, and Cancel leaves the token alone.
    await page.goto(`${daemon.base}/#/devices/${id}`);
    await page.getByRole('button', { name: 'Block web1' }).click();
    await expect(page.locator('#device-facts')).toContainText('blocked');
    check((await apiCall(daemon, 'GET', `/api/devices/${id}`)).status === 'blocked', 'blocked in the API');
    check(await page.getByRole('button', { name: 'Execute' }).isDisabled(), 'a blocked device cannot be sent a command');
    await page.getByRole('button', { name: 'Revoke the token of web1' }).click();
    await expect(page.locator('.confirm .question')).toContainText('Revoke the token of web1?');
    await page.getByRole('button', { name: 'Cancel' }).click();
    check((await apiCall(daemon, 'GET', `/api/devices/${id}`)).status === 'blocked', 'Cancel revoked nothing');

    // A view-only key reads devices and groups, and gets no button that changes them.
    const viewer = await apiCall(daemon, 'POST', '/api/keys', { name: 'viewer', role: 'view-only' });
    const view = await newPage(browser);
    await signIn(view, daemon, viewer.key);
    await view.goto(`${daemon.base}/#/devices`);
    await expect(view.locator(`tr[data-id="${id}"]`)).toContainText('blocked');
    check(await view.getByRole('button', { name: 'Pair a device' }).count() === 0, 'view-only: no pairing');
    check(await view.locator('tr button').count() === 0, 'view-only: no device buttons');
    check(!(await view.locator('main').textContent()).includes('null'), 'no "null" where a control is left out');
    await view.goto(`${daemon.base}/#/devices/${id}`);
    await expect(view.getByRole('heading', { name: 'Recent executions' })).toBeVisible();
    check(await view.getByRole('heading', { name: 'Execute' }).count() === 0, 'view-only: no Execute');

    // 51 devices: the list shows 50 a page, with their health read in one request per page
    // (not one per device), and pages to the 51st.
    await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const { code } = await apiCall(daemon, 'POST', '/api/devices/pair');
      const claimed = await fetch(`${daemon.base}/api/devices/pair/claim`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code, name: `zz-node-${String(i).padStart(2, '0')}` }) });
      check(claimed.status === 201, `claim ${i}: ${claimed.status}`);
    }));
    const historyCalls = [];
    page.on('request', (r) => { if (r.url().includes('/health/history')) historyCalls.push(r.url()); });
    await page.goto(`${daemon.base}/#/devices`);
    await expect(page.locator('#device-count')).toHaveText('51 devices (1–50 shown)');
    check(await page.locator('table.devices tbody tr').count() === 50, '50 devices a page');
    check(historyCalls.length === 1 && (new URL(historyCalls[0]).searchParams.get('ids').split(',').length === 50),
          `one history request for the page's 50 devices: ${historyCalls.length} requests`);
    await page.getByRole('button', { name: 'Next devices' }).click();
    await expect(page.locator('#device-count')).toHaveText('51 devices (51–51 shown)');
    check(await page.locator('table.devices tbody tr').count() === 1, 'the 51st on the second page');
    await expect(page.locator('table.devices tbody tr')).toContainText('zz-node-49');
    check(await page.getByRole('button', { name: 'Next devices' }).isDisabled(), 'no page after the last');
    await page.getByRole('button', { name: 'Previous devices' }).click();
    await expect(page.locator('#device-count')).toHaveText('51 devices (1–50 shown)');

    // Phone width: the list, with its charts and buttons, fits.
    const phone = page;
    await phone.setViewportSize({ width: 375, height: 740 });
    await phone.goto(`${daemon.base}/#/devices`);
    await expect(phone.locator(`tr[data-id="${id}"]`)).toContainText('web1');
    const overflow = await sidewaysOverflow(phone);
    check(overflow <= 0, `no sideways scrolling at 375 px (overflow ${overflow}px)`);
    const box = await phone.getByRole('button', { name: 'Delete web1' }).boundingBox();
    check(box && box.x >= 0 && box.x + box.width <= 375, 'Delete is on screen at 375 px');
    await screenshot(phone, 'devices-375px');
    // The one expected failed request: the second group named "web" (409 name_taken).
    const problems = [...page.problems, ...view.problems];
    const expected = problems.findIndex((p) => /status of 409/.test(p));
    if (expected >= 0) problems.splice(expected, 1);
    check(problems.length === 0, problems.join('\n'));
  } catch (e) {
    if (agentLog) console.error(`agent stderr:\n${agentLog}`);
    throw e;
  } finally {
    if (agent && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => (agent.exitCode !== null ? r() : agent.once('exit', r)));
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
