import { expect, test } from '../fixtures';

test('a key found in public is flagged on the dashboard and replaced from the banner', async ({
  page,
  region,
  rest,
  dashboard,
  wizard,
}) => {
  const leaked = await rest.createKey(region.token, 'billing sync', ['orders:read']);
  const reported = await page.request.post('/auth/leaks/report', { data: { credentials: [leaked.token] } });
  expect(reported.status()).toBe(202);
  await expect
    .poll(async () => (await rest.check(leaked.token)).headers()['x-keyward-code'], { timeout: 10_000 })
    .toBe('quarantined');

  await dashboard.open(region.token);
  const banner = page.getByRole('region', { name: 'A key of this region was found in public' });
  await expect(banner).toContainText(`billing sync (${leaked.token_preview}) was reported as found in public`);
  await expect(banner).toContainText('It is refused everywhere');
  await expect(dashboard.row('billing sync')).toContainText('Found in public: refused');
  await expect(dashboard.activity(`Key ${leaked.token_preview} reported as leaked: quarantined`)).toHaveCount(1);

  await banner.getByRole('button', { name: `Replace billing sync (${leaked.token_preview})` }).click();
  await wizard.expectStep('Create the new key');
  await expect(page.getByText('and gets its scopes (orders:read)')).toBeVisible();
  const replacement = await wizard.createNewKey();
  await wizard.acknowledgeReveal();
  await wizard.next('Next: verify');
  await wizard.next('Next: delete the old key');
  await page.getByRole('button', { name: 'Delete old key' }).click();

  await dashboard.expectLoaded();
  await expect(page.getByRole('region', { name: 'A key of this region was found in public' })).toHaveCount(0);
  await expect(dashboard.rows()).toHaveCount(2);
  const check = await rest.check(replacement, 'orders:read');
  expect(check.status()).toBe(200);
});
