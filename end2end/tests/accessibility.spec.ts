import type { Page } from '@playwright/test';

import { expect, test, violations } from '../fixtures';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every state of the console passes axe, ${colorScheme} theme`, async ({
    page,
    region,
    rest,
    dashboard,
    signIn,
    wizard,
  }) => {
    await page.emulateMedia({ colorScheme });
    const found: Record<string, string[]> = {};
    const check = async (state: string) => {
      found[state] = await violations(page);
    };

    await signIn.goto();
    await check('sign-in');
    await signIn.signInWith('kw_live_not_a_key');
    await expect(signIn.error).toBeVisible();
    await check('sign-in, refused');

    // A key found in public and one scheduled for revocation: the banner and the countdown.
    const leaked = await rest.createKey(region.token, 'leaked', ['orders:read']);
    const reported = await page.request.post('/auth/leaks/report', { data: { credentials: [leaked.token] } });
    expect(reported.status()).toBe(202);
    await expect.poll(async () => (await rest.check(leaked.token)).status()).toBe(401);
    const scheduled = await rest.createKey(region.token, 'billing', ['orders:read']);
    const revokeAt = new Date(Date.now() + 3_600_000).toISOString();
    const patched = await page.request.patch(`/auth/region/api-keys/${scheduled.id}`, {
      headers: { 'x-api-key': region.token },
      data: { revoke_at: revokeAt },
    });
    expect(patched.status()).toBe(200);

    await dashboard.open(region.token);
    await expect(page.getByRole('region', { name: 'A key of this region was found in public' })).toBeVisible();
    await check('dashboard');
    await dashboard.createKey.click();
    await expect(dashboard.dialog).toBeVisible();
    await check('create dialog');
    await dashboard.dialog.getByLabel("Your API's scopes", { exact: true }).fill('Not A Scope');
    await dashboard.dialog.getByRole('button', { name: 'Create key' }).click();
    await expect(dashboard.dialog.getByRole('alert').filter({ hasText: /is not a scope/ })).toBeVisible();
    await check('create dialog, refused');
    await dashboard.dialog.getByLabel("Your API's scopes", { exact: true }).fill('orders:read');
    await dashboard.dialog.getByRole('button', { name: 'Create key' }).click();
    await expect(dashboard.revealedToken()).toHaveValue(/^kw_/);
    await check('one-time reveal');
    await dashboard.acknowledgeReveal();
    await dashboard.button(dashboard.row('billing'), 'Edit').click();
    await check('edit dialog');
    await page.keyboard.press('Escape');
    await dashboard.button(dashboard.row('billing'), 'Delete').click();
    await check('delete dialog');
    await page.keyboard.press('Escape');

    await dashboard.button(dashboard.row(region.preview), 'Rotate').click();
    await wizard.expectStep('Create the new key');
    await check('wizard: create');
    await wizard.createNewKey();
    await check('wizard: reveal');
    await wizard.acknowledgeReveal();
    await check('wizard: update');
    await wizard.next('Next: verify');
    await check('wizard: verify');
    await wizard.next('Next: delete the old key');
    await check('wizard: delete');

    // Read-only: every action disabled, with its reason.
    const reader = await rest.createKey(region.token, 'auditor', ['keys:read']);
    await dashboard.open(reader.token);
    await check('dashboard, read-only');

    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((state) => [state, []])));
  });
}

/** Whether the page itself scrolls sideways (tables may, in their own box). */
async function scrollsSideways(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

test('at 320 CSS pixels wide the page never scrolls sideways', async ({ page, region, rest, dashboard, signIn, wizard }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await rest.createKey(region.token, 'a rather long description of what uses this key', ['orders:read']);
  await signIn.goto();
  expect(await scrollsSideways(page), 'sign-in').toBe(false);
  await dashboard.open(region.token);
  expect(await scrollsSideways(page), 'dashboard').toBe(false);
  await dashboard.createKey.click();
  await expect(dashboard.dialog).toBeVisible();
  expect(await scrollsSideways(page), 'create dialog').toBe(false);
  await page.keyboard.press('Escape');
  await dashboard.button(dashboard.row(region.preview), 'Rotate').click();
  await wizard.expectStep('Create the new key');
  expect(await scrollsSideways(page), 'wizard').toBe(false);
});
