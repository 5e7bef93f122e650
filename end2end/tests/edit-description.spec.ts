import { expect, test } from '../fixtures';

test('edits a key description', async ({ page, region, rest, dashboard }) => {
  await dashboard.open(region.token);
  const row = dashboard.row(region.preview);
  const edit = dashboard.button(row, 'Edit');
  await edit.click();
  const field = dashboard.dialog.getByLabel('Description (optional)');
  await expect(field).toBeFocused();
  await expect(field).toHaveValue('first key');

  await field.fill('a\u0007b');
  await dashboard.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dashboard.dialog.getByRole('alert')).toContainText('control or invisible characters');

  await field.fill('payments worker');
  await dashboard.dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dashboard.dialog).toBeHidden();
  await expect(row).toContainText('payments worker');
  await expect(edit).toBeFocused();
  const [key] = await rest.keys(region.token);
  expect(key.description).toBe('payments worker');

  await page.reload();
  await expect(dashboard.row(region.preview)).toContainText('payments worker');
});
