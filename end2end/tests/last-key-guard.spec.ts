import { expect, test } from '../fixtures';

const LAST_KEY =
  "This is the region's last key that can manage keys (keys:write, neither scheduled for revocation nor quarantined); create another first";
const LAST_KEY_REASON =
  "The region's last key that can manage keys (keys:write, neither scheduled for revocation nor quarantined) cannot be deleted: a region always keeps one. Create another such key first.";

test("the region's last managing key cannot be deleted, and the reason is shown", async ({ page, region, dashboard }) => {
  await dashboard.open(region.token);
  const remove = dashboard.button(dashboard.row(region.preview), 'Delete');
  await expect(remove).toBeDisabled();
  const reason = page.locator('#last-key-reason');
  await expect(reason).toBeVisible();
  await expect(reason).toHaveText(LAST_KEY_REASON);
  await expect(remove).toHaveAttribute('aria-describedby', 'last-key-reason');
});

test('a delete that loses a race to the last key shows the same plain message', async ({ region, rest, dashboard }) => {
  const other = await rest.createKey(region.token, 'other');
  await dashboard.open(region.token);
  await expect(dashboard.rows()).toHaveCount(2);

  // The page still shows two keys when the other one goes away elsewhere.
  await dashboard.button(dashboard.row(region.preview), 'Delete').click();
  await expect(dashboard.dialog).toContainText('You signed in to this console with this key');
  expect((await rest.deleteKey(region.token, other.id)).status()).toBe(204);
  await dashboard.dialog.getByRole('button', { name: 'Delete key' }).click();

  await expect(dashboard.dialog.getByRole('alert')).toHaveText(LAST_KEY);
  expect((await rest.me(region.token)).status()).toBe(200);
});

test('a quarantined key does not count: the only other managing key cannot be deleted, and the reason is shown', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  const manager = await rest.createKey(region.token, 'key admin', ['keys:write']);
  const reported = await page.request.post('/auth/leaks/report', { data: { credentials: [region.token] } });
  expect(reported.status()).toBe(202);
  await expect
    .poll(async () => (await rest.check(region.token)).headers()['x-keyward-code'], { timeout: 10_000 })
    .toBe('quarantined');

  await dashboard.open(manager.token);
  await expect(dashboard.rows()).toHaveCount(2);
  const remove = dashboard.button(dashboard.row(manager.token_preview), 'Delete');
  await expect(remove).toBeDisabled();
  await expect(remove).toHaveAttribute('aria-describedby', 'last-key-reason');
  const reason = page.locator('#last-key-reason');
  await expect(reason).toBeVisible();
  await expect(reason).toHaveText(LAST_KEY_REASON);
  // The quarantined key never counted: it can go.
  await expect(dashboard.button(dashboard.row(region.preview), 'Delete')).toBeEnabled();
  // The server agrees.
  const refused = await rest.deleteKey(manager.token, manager.id);
  expect(refused.status()).toBe(409);
  expect((await refused.json()).type).toMatch(/last-api-key$/);
});
