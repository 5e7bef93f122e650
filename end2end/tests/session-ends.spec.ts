import { expect, test } from '../fixtures';

test('the session ends when its key is deleted through the REST API', async ({
  page,
  region,
  rest,
  dashboard,
  signIn,
}) => {
  await dashboard.open(region.token);
  const other = await rest.createKey(region.token, 'integration');
  expect((await rest.deleteKey(other.token, region.keyId)).status()).toBe(204);

  await page.reload();
  await signIn.expectShown();
  await expect(signIn.notice).toContainText('Your session has ended');

  // Going straight back does not help: the session is gone server-side.
  await page.goto('/');
  await signIn.expectShown();
});

test('a signed-in page notices the ended session on its next action', async ({ page, region, rest, dashboard, signIn }) => {
  const other = await rest.createKey(region.token, 'integration');
  await dashboard.open(region.token);
  expect((await rest.deleteKey(other.token, region.keyId)).status()).toBe(204);

  await dashboard.button(dashboard.row(other.token_preview), 'Edit').click();
  await dashboard.dialog.getByLabel('Description (optional)').fill('renamed');
  await dashboard.dialog.getByRole('button', { name: 'Save' }).click();
  await signIn.expectShown();
  await expect(signIn.notice).toContainText('Your session has ended');
  await expect(page.getByRole('dialog')).toHaveCount(0);
});
