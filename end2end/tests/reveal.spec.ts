import { expect, test } from '../fixtures';

test('a new key is revealed once, copied, acknowledged, and never shown again', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  await dashboard.open(region.token);
  const token = await dashboard.createKeyAndReveal('deploy bot');
  await expect(dashboard.dialog).toContainText('you will not see it again');

  await dashboard.dialog.getByRole('button', { name: 'Copy API key' }).click();
  await expect(dashboard.dialog.getByRole('status')).toHaveText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  // Escape does not dismiss it; only the explicit acknowledgement does.
  await page.keyboard.press('Escape');
  await expect(dashboard.revealedToken()).toBeVisible();

  await dashboard.acknowledgeReveal();
  await expect(dashboard.createKey).toBeFocused();
  expect(await page.content()).not.toContain(token);

  await page.reload();
  await dashboard.expectLoaded();
  const created = (await rest.keys(region.token)).find((key) => key.description === 'deploy bot');
  expect(created).toBeDefined();
  await expect(dashboard.row(created!.token_preview)).toContainText('deploy bot');
  expect(await page.content()).not.toContain(token);
  // The key itself works.
  expect((await rest.me(token)).status()).toBe(200);
});

test('leaving the page before acknowledging asks for confirmation', async ({ page, region, dashboard }) => {
  await dashboard.open(region.token);
  await dashboard.createKeyAndReveal('asks first');
  const asked = new Promise<string>((resolve) => {
    page.once('dialog', async (dialog) => {
      resolve(dialog.type());
      await dialog.dismiss();
    });
  });
  // Playwright does not run beforeunload on goto/reload, but does on close with runBeforeUnload.
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
  await expect(dashboard.revealedToken()).toBeVisible();
});

test('going back before acknowledging asks first; staying keeps the key on screen', async ({
  page,
  region,
  dashboard,
}) => {
  await dashboard.open(region.token);
  const token = await dashboard.createKeyAndReveal('back button');

  const answer = (accept: boolean) =>
    new Promise<string>((resolve) => {
      page.once('dialog', async (dialog) => {
        resolve(`${dialog.type()}: ${dialog.message()}`);
        await (accept ? dialog.accept() : dialog.dismiss());
      });
    });
  const stay = answer(false);
  await page.goBack();
  expect(await stay).toBe('confirm: Leave without storing the new API key? You will not see it again.');
  await expect(dashboard.revealedToken()).toHaveValue(token);
  await expect(page).toHaveURL(/\/$/);

  const leave = answer(true);
  await page.goBack();
  expect(await leave).toMatch(/^confirm: /);
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(await page.content()).not.toContain(token);
});

test('once acknowledged, Back goes straight back without asking', async ({ page, region, dashboard }) => {
  await dashboard.open(region.token);
  await dashboard.createKeyAndReveal('acknowledged');
  await dashboard.acknowledgeReveal();
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.type());
    await dialog.dismiss();
  });
  await page.goBack();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(dialogs).toEqual([]);
});

test('the reveal stays open when the dashboard cannot refresh behind it', async ({ page, region, dashboard }) => {
  await dashboard.open(region.token);
  await page.route('**/api/load_dashboard', (route) =>
    route.fulfill({ status: 503, contentType: 'text/plain', body: 'unavailable' }),
  );
  const token = await dashboard.createKeyAndReveal('refresh fails');
  await expect(page.getByRole('alert').filter({ hasText: 'could not refresh this region' })).toBeVisible();
  await expect(dashboard.revealedToken()).toHaveValue(token);

  await page.unroute('**/api/load_dashboard');
  await dashboard.acknowledgeReveal();
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'could not refresh' })).toHaveCount(0);
  await expect(dashboard.row('refresh fails')).toBeVisible();
});
