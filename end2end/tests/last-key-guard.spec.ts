import { expect, test } from '../fixtures';

const LAST_KEY =
  "This is the region's last key that can manage keys (keys:write, not scheduled for revocation); create another first";

test("the region's last managing key cannot be deleted, and the reason is shown", async ({ page, region, dashboard }) => {
  await dashboard.open(region.token);
  const remove = dashboard.button(dashboard.row(region.preview), 'Delete');
  await expect(remove).toBeDisabled();
  const reason = page.getByText("The region's last key that can manage keys (keys:write, not scheduled for revocation) cannot be deleted");
  await expect(reason).toBeVisible();
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
