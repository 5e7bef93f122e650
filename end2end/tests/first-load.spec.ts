import { expect, test } from '../fixtures';

/** The goal for the sign-in page's first load (issue 23), in encoded bytes on the wire. */
const SIGN_IN_BUDGET = 150_000;

/** Every response of the page so far, as the browser counted it. */
function wire(page: import('@playwright/test').Page) {
  return page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((entry) => ({
      path: new URL(entry.name).pathname,
      transfer: (entry as PerformanceResourceTiming).transferSize,
    })),
  );
}

test('the sign-in page loads in at most 150 KB on the wire, without the other pages', async ({ page, signIn }) => {
  const encodings = new Map<string, string | undefined>();
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (/\.(wasm|js|css)$/.test(path)) encodings.set(path, response.headers()['content-encoding']);
  });
  await signIn.goto();
  const entries = await wire(page);
  const total = entries.reduce((sum, entry) => sum + entry.transfer, 0);
  // Bytes, not time: the same build always sends nearly the same bytes.
  console.log(`the sign-in page: ${total} bytes on the wire`);
  expect(total, JSON.stringify(entries)).toBeLessThanOrEqual(SIGN_IN_BUDGET);
  // Only the main module: the dashboard's, the wizard's and the statement's wait.
  expect(entries.filter((entry) => entry.path.endsWith('.wasm')).map((entry) => entry.path)).toEqual([
    expect.stringMatching(/^\/frontend-[0-9a-f]+_bg\.wasm$/),
  ]);
  for (const [path, encoding] of encodings) expect(encoding, path).toBe('br');
});

test('the dashboard fetches its own module, compressed, when it opens', async ({ page, region, dashboard }) => {
  const modules: { path: string; encoding?: string; vary?: string; cache?: string }[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith('.wasm') || path.endsWith('_split.js')) {
      const headers = response.headers();
      modules.push({ path, encoding: headers['content-encoding'], vary: headers.vary, cache: headers['cache-control'] });
    }
  });
  await dashboard.open(region.token);
  expect(modules.some((module) => /_split_dashboard\.wasm$/.test(module.path)), JSON.stringify(modules)).toBe(true);
  for (const module of modules) {
    expect(module, module.path).toMatchObject({
      encoding: 'br',
      vary: 'accept-encoding',
      cache: 'public, max-age=31536000, immutable',
    });
  }
});

test('a page whose module cannot be fetched says so and loads on retry', async ({ page, region, signIn, dashboard }) => {
  const blocked = /_split_dashboard\.wasm$/;
  await page.route(blocked, (route) => route.abort('internetdisconnected'));
  await signIn.goto();
  await signIn.signInWith(region.token);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('This part of the console could not be loaded');
  await page.unroute(blocked);
  await alert.getByRole('button', { name: 'Try again' }).click();
  await dashboard.expectLoaded();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(region.name);
});
