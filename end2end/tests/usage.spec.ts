import type { Page } from '@playwright/test';

import { expect, previewOf, test, violations } from '../fixtures';

/** `count` requests through forward authentication, as a reverse proxy passes them on. */
async function traffic(page: Page, token: string, count: number, userAgent: string, scope?: string) {
  const query = scope ? `?scope=${encodeURIComponent(scope)}` : '';
  for (let i = 0; i < count; i++) {
    await page.request.get(`/auth/check${query}`, {
      headers: {
        'x-api-key': token,
        'user-agent': userAgent,
        'x-forwarded-method': 'GET',
        'x-forwarded-uri': '/invoices/2026?page=2',
      },
    });
  }
}

test('the sparkline, the key chart and the region chart show the requests made', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  const billing = await rest.createKey(region.token, 'billing', ['invoices:read']);
  await traffic(page, billing.token, 5, 'billing-sync/2.4', 'invoices:read');
  await traffic(page, billing.token, 2, 'billing-sync/2.4', 'invoices:write');

  await dashboard.open(region.token);
  const row = dashboard.row('billing');
  // Counted in memory, flushed within the flush interval: reload until shown.
  await expect(async () => {
    await page.reload();
    await expect(row.getByRole('img', { name: 'Last 7 days: 7 requests, 2 refused' })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  const traffic7Days = page.getByRole('region', { name: 'Traffic' });
  await expect(traffic7Days.getByRole('img', { name: /^All keys: requests per hour, last 7 days: \d+ requests, 2 refused\.$/ })).toBeVisible();
  await expect(traffic7Days.getByRole('listitem').first()).toHaveText(`billing (${previewOf(billing.token)}): 7 requests, 2 refused`);

  await dashboard.button(row, 'Usage').click();
  await expect(dashboard.dialog.getByRole('heading', { name: `Usage of billing (${previewOf(billing.token)})` })).toBeVisible();
  const chart = dashboard.dialog.getByRole('img', { name: 'Requests per hour, last 7 days: 7 requests, 2 refused.' });
  await expect(chart).toBeVisible();
  // Each bar's counts on hover: the bar's title.
  await expect(chart.locator('title')).toHaveText([/ UTC: 5 accepted, 2 refused \(lacking a scope\)$/]);
  await expect(dashboard.dialog.locator('#key-last-use')).toHaveText(
    /^Last used (just now|\d+ s ago) from 127\.0\.0\.1, billing-sync\/2\.4, GET \/invoices\/2026\.$/,
  );
  // The numbers as a table, for those who cannot see the chart.
  await dashboard.dialog.getByText('Show the numbers').click();
  await expect(dashboard.dialog.getByRole('table').getByRole('row').nth(1)).toContainText(/UTC\s*5\s*2/);
  expect(await violations(page)).toEqual([]);

  await dashboard.dialog.getByLabel('Last hour').check();
  await expect(dashboard.dialog.getByRole('img', { name: 'Requests per minute, last hour: 7 requests, 2 refused.' })).toBeVisible();
  await dashboard.dialog.getByLabel('Last 30 days').check();
  await expect(dashboard.dialog.getByRole('img', { name: 'Requests per day, last 30 days: 7 requests, 2 refused.' })).toBeVisible();
  await dashboard.dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dashboard.dialog).toBeHidden();
  await expect(dashboard.button(row, 'Usage')).toBeFocused();
});

test("the wizard's cut-over shows the old key's traffic and where it comes from", async ({
  page,
  region,
  rest,
  dashboard,
  wizard,
}) => {
  const billing = await rest.createKey(region.token, 'billing', ['invoices:read']);
  await dashboard.open(region.token);
  await dashboard.button(dashboard.row('billing'), 'Rotate').click();
  const newToken = await wizard.createNewKey();
  await wizard.acknowledgeReveal();
  await wizard.next('Next: verify');
  await wizard.expectStep('Verify traffic');

  // An integration still sends the old key; another already moved to the new one.
  await traffic(page, billing.token, 3, 'billing-sync/2.4', 'invoices:read');
  await traffic(page, newToken, 4, 'billing-sync/3.0', 'invoices:read');
  await expect(page.locator('#old-key-last-use')).toHaveText(
    /^Old key: last used (just now|\d+ s ago) from 127\.0\.0\.1, billing-sync\/2\.4, GET \/invoices\/2026\.$/,
    { timeout: 20_000 },
  );
  await expect(page.getByRole('img', { name: 'Old key: requests per minute, last hour: 3 requests.' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'New key: requests per minute, last hour: 4 requests.' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Old key: requests per hour, last 7 days: 3 requests.' })).toBeVisible();
  await expect(wizard.verdict()).toHaveText(
    /^New key in use, but the old key last used (just now|\d+ s ago) from 127\.0\.0\.1, billing-sync\/2\.4, GET \/invoices\/2026: update every integration before deleting it\.$/,
  );
  expect(await violations(page)).toEqual([]);
});
