// The few retrying assertions these tests need (playwright-core has no `expect`; the
// @playwright/test runner that has one would bring its own browsers and runner).
const TIMEOUT = 10000;

async function poll(describe, probe) {
  const deadline = Date.now() + TIMEOUT;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last.ok) return;
    } catch (e) {
      last = { ok: false, got: e.message };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${describe}; got ${JSON.stringify(last?.got)}`);
}

const matches = (text, want) => (want instanceof RegExp ? want.test(text) : text.includes(want));

export function expect(locator) {
  return {
    toBeVisible: () => locator.first().waitFor({ state: 'visible', timeout: TIMEOUT }),
    toHaveText: (want) => poll(`${locator} to have text ${want}`, async () => {
      const text = (await locator.first().textContent({ timeout: 500 })) ?? '';
      return { ok: matches(text.trim(), want), got: text };
    }),
    toContainText: (want) => poll(`${locator} to contain ${want}`, async () => {
      const text = (await locator.first().textContent({ timeout: 500 })) ?? '';
      return { ok: matches(text, want), got: text };
    }),
  };
}
