import { expect, previewOf, test } from '../fixtures';

test('rotates the session key: create, update, verify with real traffic, delete', async ({
  page,
  region,
  rest,
  dashboard,
  wizard,
}) => {
  await dashboard.open(region.token);
  await dashboard.button(dashboard.row(region.preview), 'Rotate').click();

  // 1. Create: description prefilled from the old key, one-time reveal inside the step.
  await wizard.expectStep('Create the new key');
  await expect(wizard.descriptionField()).toHaveValue('first key');
  await wizard.descriptionField().fill('first key (rotated)');
  const newToken = await wizard.createNewKey();
  await wizard.acknowledgeReveal();
  expect(await page.content()).not.toContain(newToken);

  // 2. Update: both previews side by side.
  await wizard.expectStep('Update integrations');
  // (No REST call with either key here: the verify step counts their use.)
  const newPreview = previewOf(newToken);
  await expect(page.getByText(region.preview)).toBeVisible();
  await expect(page.getByText(newPreview)).toBeVisible();
  await wizard.next('Next: verify');

  // 3. Verify. The live check: the browser calls the REST API with the pasted key.
  await wizard.expectStep('Verify traffic');
  await expect(wizard.verdict()).toHaveText(/^New key not used yet;/);
  await wizard.checkNewKey(newToken);
  await expect(page.getByRole('status').filter({ hasText: 'The new key works' })).toBeVisible();
  await expect(page.getByLabel('New API key')).toHaveValue('');
  // That call is the console's own, not an integration's traffic.
  await expect(wizard.verdict()).toHaveText(
    'New key not used by an integration since your live check; old key never used.',
    { timeout: 20_000 },
  );
  // An integration (this REST client) uses the new key; the step sees it. It calls
  // until seen, as a use within a second of the live check counts as the check.
  await expect(async () => {
    expect((await rest.me(newToken)).status()).toBe(200);
    // Signing in to the console was no use of the old key.
    await expect(wizard.verdict()).toHaveText('New key in use; old key never used.', { timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  // An integration still on the old key: the verdict warns before the delete.
  expect((await rest.me(region.token)).status()).toBe(200);
  await expect(wizard.verdict()).toHaveText(
    /^New key in use, but the old key last used (just now|\d+ s ago) from 127\.0\.0\.1, .+, GET \/auth\/regions\/me: update every integration before deleting it\.$/,
    { timeout: 20_000 },
  );
  await wizard.next('Next: delete the old key');

  // 4. Delete: warns that this session uses the old key and keeps it on the new one.
  await wizard.expectStep('Delete the old key');
  await expect(page.getByText('You signed in to this console with the old key')).toBeVisible();
  await expect(page.getByLabel('Stay signed in with the new key')).toBeChecked();
  await page.getByRole('button', { name: 'Delete old key' }).click();

  await dashboard.expectLoaded();
  await expect(page.getByText(`Rotation finished: the old key first key (${region.preview}) is deleted.`)).toBeVisible();
  await expect(dashboard.rows()).toHaveCount(1);
  await expect(dashboard.row(newPreview)).toContainText('first key (rotated)');
  await expect(dashboard.row(newPreview)).toContainText('This session');
  expect((await rest.me(region.token)).status()).toBe(401);
  expect((await rest.me(newToken)).status()).toBe(200);
});

test('finishing a rotation of the session key can sign out instead', async ({ page, region, dashboard, wizard, signIn }) => {
  await dashboard.open(region.token);
  await dashboard.button(dashboard.row(region.preview), 'Rotate').click();
  await wizard.createNewKey();
  await wizard.acknowledgeReveal();
  await wizard.next('Next: verify');
  await wizard.next('Next: delete the old key');
  await page.getByLabel('Sign out').check();
  await page.getByRole('button', { name: 'Delete old key' }).click();

  await signIn.expectShown();
  await expect(signIn.notice).toContainText('You signed out.');
  expect(await page.context().cookies()).toEqual([]);
});
