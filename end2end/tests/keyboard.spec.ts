import type { Locator, Page } from '@playwright/test';

import { expect, previewOf, test } from '../fixtures';

/** Presses Tab until `target` has focus, as a keyboard user would reach it. */
async function tabTo(page: Page, target: Locator, presses = 60) {
  for (let i = 0; i < presses; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target} is not reachable with Tab`);
}

/** Tab, then Enter: a control reached and used without the mouse. */
async function press(page: Page, target: Locator) {
  await tabTo(page, target);
  await page.keyboard.press('Enter');
}

test('every flow works with the keyboard alone, focus trapped in dialogs and returned to the opener', async ({
  page,
  region,
  rest,
  dashboard,
  signIn,
  wizard,
}) => {
  // Sign in: the field has focus, Enter submits.
  await signIn.goto();
  await expect(signIn.apiKey).toBeFocused();
  await page.keyboard.type(region.token);
  await page.keyboard.press('Enter');
  await dashboard.expectLoaded();

  // Create a key and store it from the reveal.
  await press(page, dashboard.createKey);
  await expect(dashboard.dialog).toBeVisible();
  const description = dashboard.dialog.getByLabel('Description (optional)');
  await tabTo(page, description);
  await page.keyboard.type('keyboard key');
  await tabTo(page, dashboard.dialog.getByLabel("Your API's scopes", { exact: true }));
  await page.keyboard.type('orders:read');
  await page.keyboard.press('Enter');
  await expect(dashboard.revealedToken()).toHaveValue(/^kw_live_/);
  const token = await dashboard.revealedToken().inputValue();
  // Focus stays in the dialog however far one tabs.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    expect(await dashboard.dialog.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
  }
  await press(page, dashboard.dialog.getByRole('button', { name: 'I have stored this key' }));
  await expect(dashboard.dialog).toBeHidden();
  await expect(dashboard.createKey).toBeFocused();
  const row = dashboard.row('keyboard key');
  await expect(row).toContainText(previewOf(token));

  // Edit, with Enter in the field; Escape would have closed it.
  await press(page, dashboard.button(row, 'Edit'));
  await expect(dashboard.dialog).toBeVisible();
  await tabTo(page, dashboard.dialog.getByLabel('Description (optional)'));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('keyboard key, renamed');
  await page.keyboard.press('Enter');
  await expect(dashboard.dialog).toBeHidden();
  const renamed = dashboard.row('keyboard key, renamed');
  await expect(renamed).toHaveCount(1);
  // What happened is announced, for those who cannot see the table change.
  const saved = `Saved the key ${previewOf(token)}.`;
  await expect(page.getByRole('status').filter({ hasText: saved })).toBeAttached();
  await expect(page.getByRole('button', { name: /^Edit keyboard key, renamed/ })).toBeFocused();

  // Delete, with the confirmation.
  await press(page, dashboard.button(renamed, 'Delete'));
  await expect(dashboard.dialog).toContainText('Delete the key');
  await press(page, dashboard.dialog.getByRole('button', { name: 'Delete key' }));
  await expect(dashboard.dialog).toBeHidden();
  await expect(renamed).toHaveCount(0);
  const deleted = `Deleted the key keyboard key, renamed (${previewOf(token)}).`;
  await expect(page.getByRole('status').filter({ hasText: deleted })).toBeAttached();
  expect((await rest.me(token)).status()).toBe(401);

  // Rotate the session's key end to end.
  await press(page, dashboard.button(dashboard.row(region.preview), 'Rotate'));
  await wizard.expectStep('Create the new key');
  await press(page, page.getByRole('button', { name: 'Create new key' }));
  const field = page.getByRole('textbox', { name: /API key/ });
  await expect(field).toHaveValue(/^kw_live_/);
  const newToken = await field.inputValue();
  await press(page, page.getByRole('button', { name: 'I have stored this key' }));
  await wizard.expectStep('Update integrations');
  await press(page, page.getByRole('button', { name: 'Next: verify' }));
  await wizard.expectStep('Verify traffic');
  await press(page, page.getByRole('button', { name: 'Next: delete the old key' }));
  await wizard.expectStep('Delete the old key');
  await press(page, page.getByRole('button', { name: 'Delete old key' }));
  await dashboard.expectLoaded();
  await expect(page.getByText(/^Rotation finished: the old key/)).toBeVisible();
  expect((await rest.me(region.token)).status()).toBe(401);
  expect((await rest.me(newToken)).status()).toBe(200);
});
