import { expect, test } from '../fixtures';

test('deletes a key after a confirmation that names it', async ({ region, rest, dashboard }) => {
  const doomed = await rest.createKey(region.token, 'old cron job');
  await dashboard.open(region.token);
  await expect(dashboard.rows()).toHaveCount(2);

  const row = dashboard.row(doomed.token_preview);
  await dashboard.button(row, 'Delete').click();
  await expect(dashboard.dialog).toContainText(`old cron job (${doomed.token_preview})`);
  await dashboard.dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dashboard.rows()).toHaveCount(2);

  await dashboard.button(row, 'Delete').click();
  await dashboard.dialog.getByRole('button', { name: 'Delete key' }).click();
  await expect(dashboard.dialog).toBeHidden();
  await expect(dashboard.rows()).toHaveCount(1);
  await expect(dashboard.row(doomed.token_preview)).toHaveCount(0);
  expect((await rest.me(doomed.token)).status()).toBe(401);
});
