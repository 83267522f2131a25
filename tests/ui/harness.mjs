// What every browser test shares: a real daemon (`steward serve` on free ports, a fresh data
// dir, its printed admin key), Debian's chromium driven by playwright-core, API calls with
// the key, and screenshots saved as artifacts. Environment (set by tests/CMakeLists.txt):
// STEWARD_BINARY, STEWARD_UI_ARTIFACTS (the screenshot directory, in the build tree).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const binary = process.env.STEWARD_BINARY;
const artifacts = process.env.STEWARD_UI_ARTIFACTS || join(tmpdir(), 'steward-ui-artifacts');

export async function startDaemon(extraArgs = []) {
  if (!binary) throw new Error('STEWARD_BINARY is not set (run through ctest)');
  const dir = mkdtempSync(join(tmpdir(), 'steward-ui-'));
  const proc = spawn(binary, ['serve', '--port', '0', '--device-port', '0', '--bind', '127.0.0.1',
                              '--data-dir', join(dir, 'data'), ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const port = out.match(/listening on http:\/\/[0-9.]+:([0-9]+)/);
    const key = out.match(/\b(stw_[a-z2-7]+)\b/);
    if (port && key) {
      const base = `http://127.0.0.1:${port[1]}`;
      return {
        base, key: key[1],
        async stop() {
          proc.kill('SIGTERM');
          await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (proc.exitCode !== null) throw new Error(`steward serve exited at start: ${err}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  proc.kill('SIGKILL');
  throw new Error(`steward serve did not start within 20 s: ${err}`);
}

export async function apiCall(daemon, method, path, body, key = daemon.key) {
  const res = await fetch(daemon.base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(data)}`);
  return data;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.STEWARD_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// A page whose console errors and failed requests fail the test (a CSP violation or a
// missing module shows up here, not as a silently blank page).
export async function newPage(browser, viewport = { width: 1100, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|403/.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  return page;
}

export async function signIn(page, daemon, key = daemon.key) {
  await page.goto(daemon.base + '/');
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function screenshot(page, name) {
  mkdirSync(artifacts, { recursive: true });
  const file = join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

// Runs one test body with a daemon and a browser, always cleaning up; exit code 1 on failure.
export async function run(name, body) {
  const started = Date.now();
  let daemon;
  let browser;
  try {
    daemon = await startDaemon();
    browser = await launchBrowser();
    await body({ daemon, browser });
    console.log(`ui:${name}: passed in ${Date.now() - started} ms`);
  } catch (e) {
    console.error(`ui:${name}: FAILED: ${e.stack || e}`);
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (daemon) await daemon.stop().catch(() => {});
  }
}

// The page's problems except the 400 answers a test provokes on purpose (a form sent with
// bad input, a bad schedule previewed): the browser logs every failed request as a console
// error, and the page shows the API's message instead, which the test checks.
export const unexpectedProblems = (page) => page.problems.filter((p) => !/status of 400 \(Bad Request\)/.test(p));

// How many pixels the page scrolls sideways (0 when everything fits the viewport's width).
export const sidewaysOverflow = (page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
