import { expect, test } from '../fixtures';

test('an unfinished rotation is resumed after a reload and from the dashboard', async ({
  page,
  region,
  rest,
  dashboard,
  wizard,
}) => {
  await dashboard.open(region.token);
  await dashboard.button(dashboard.row(region.preview), 'Rotate').click();
  const newToken = await wizard.createNewKey();
  await wizard.acknowledgeReveal();
  await wizard.expectStep('Update integrations');

  await page.reload();
  await wizard.expectStep('Update integrations');
  await expect(page.getByText('You are resuming a rotation started')).toBeVisible();
  expect(await page.content()).not.toContain(newToken);

  await page.goto('/');
  await dashboard.expectLoaded();
  const banner = page.getByRole('region', { name: 'A key rotation is unfinished' });
  await expect(banner).toContainText(region.preview);
  await expect(dashboard.button(dashboard.row(region.preview), 'Rotate')).toBeDisabled();
  await banner.getByRole('button', { name: 'Resume rotation' }).click();
  await wizard.expectStep('Update integrations');

  // Cancelling deletes the new key and keeps the old one.
  await page.getByRole('button', { name: 'Cancel rotation' }).click();
  await expect(dashboard.dialog).toContainText('is deleted');
  await dashboard.dialog.getByRole('button', { name: 'Cancel rotation' }).click();
  await dashboard.expectLoaded();
  await expect(banner).toHaveCount(0);
  await expect(dashboard.rows()).toHaveCount(1);
  expect((await rest.me(newToken)).status()).toBe(401);
});
