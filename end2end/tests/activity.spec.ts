import { expect, test } from '../fixtures';

test('recent activity says who changed which key, from where, also after the key is gone', async ({
  region,
  rest,
  dashboard,
}) => {
  const doomed = await rest.createKey(region.token, 'old cron job');
  await rest.deleteKey(region.token, doomed.id);
  await dashboard.open(region.token);

  const deleted = dashboard.activity(`Key ${doomed.token_preview} deleted`);
  await expect(deleted).toHaveCount(1);
  await expect(deleted).toContainText("this session's key");
  await expect(deleted).toContainText('127.0.0.1');
  await expect(dashboard.activity(`Key ${doomed.token_preview} created`)).toHaveCount(1);
  await expect(dashboard.activity('Signed in to the console')).toHaveCount(1);
  const first = dashboard.activity(`Key ${region.preview} created`);
  await expect(first).toContainText('the operator (CLI)');

  // A change made in the console appears at the top once it is done.
  const row = dashboard.row(region.preview);
  await dashboard.button(row, 'Edit').click();
  await dashboard.dialog.getByLabel('Description (optional)').fill('primary');
  await dashboard.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dashboard.dialog).toBeHidden();
  await expect(dashboard.activityTable.locator('tbody tr').first()).toContainText(
    `Description of ${region.preview} changed`,
  );
});

test('the activity list pages back to the region\'s first entry', async ({ page, region, rest, dashboard }) => {
  for (let i = 0; i < 16; i++) {
    await rest.createKey(region.token, `batch ${i}`);
  }
  await dashboard.open(region.token);
  const rows = dashboard.activityTable.locator('tbody tr');
  // region, first key, 16 keys and this sign-in: 19 entries, 15 a page.
  await expect(rows).toHaveCount(15);
  await expect(dashboard.activity('Region created')).toHaveCount(0);
  await page.getByRole('button', { name: 'Show older activity' }).click();
  await expect(rows).toHaveCount(19);
  await expect(dashboard.activity('Region created')).toHaveCount(1);
  await expect(page.getByText("This is the region's first entry.")).toBeVisible();
  await expect(page.getByRole('button', { name: 'Show older activity' })).toHaveCount(0);
});
