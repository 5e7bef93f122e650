import { createRegion, expect, test } from '../fixtures';

test('lists the keys with previews and keeps every secret out of the page and storage', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  const second = await rest.createKey(region.token, 'billing service');
  await dashboard.open(region.token);

  await expect(page.getByRole('heading', { level: 1 })).toContainText(region.name);
  await expect(page.getByLabel('Region ID')).toHaveValue(region.id);
  await expect(dashboard.rows()).toHaveCount(2);
  const first = dashboard.row(region.preview);
  await expect(first).toContainText('first key');
  await expect(first).toContainText('This session');
  const billing = dashboard.row(second.token_preview);
  await expect(billing).toContainText('billing service');
  await expect(billing).not.toContainText('This session');
  // Relative time, exact time on hover.
  await expect(billing.locator('time').first()).toHaveText('just now');
  await expect(billing.locator('time').first()).toHaveAttribute('title', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

  const html = await page.content();
  for (const token of [region.token, second.token]) {
    expect(html).not.toContain(token);
    expect(page.url()).not.toContain(token);
  }
  const storage = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
  }));
  expect(storage).toEqual({ local: '{}', session: '{}', cookie: '' });
  const cookies = await page.context().cookies();
  expect(cookies).toHaveLength(1);
  expect(cookies[0]).toMatchObject({ name: 'keyward_session', httpOnly: true, sameSite: 'Strict', path: '/' });
  expect(cookies[0].value).not.toContain(region.token.slice(8));
});

test('marks sandbox regions with a badge', async ({ page, region, dashboard }) => {
  await dashboard.open(region.token);
  await expect(page.getByText('Sandbox', { exact: true })).toHaveCount(0);

  const sandbox = await createRegion({ sandbox: true });
  await dashboard.signOut();
  await dashboard.open(sandbox.token);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(sandbox.name);
  await expect(page.getByText('Sandbox', { exact: true })).toBeVisible();
  await expect(dashboard.row(sandbox.preview)).toContainText('kw_test_');
});
