import { expect, previewOf, test } from '../fixtures';

test('an integration-only key is created from its preset and refused for management', async ({
  page,
  region,
  rest,
  dashboard,
  signIn,
}) => {
  await dashboard.open(region.token);
  await dashboard.createKey.click();
  await dashboard.dialog.getByLabel('Description (optional)').fill('orders sync');
  await expect(dashboard.dialog.getByLabel(/^Integration only/)).toBeChecked();
  await dashboard.dialog.getByLabel("Your API's scopes", { exact: true }).fill('orders:write orders:read');
  await dashboard.dialog.getByRole('button', { name: 'Create key' }).click();
  const token = await dashboard.revealedToken().inputValue();
  expect(token).toMatch(/^kw_live_/);
  await dashboard.acknowledgeReveal();
  await expect(dashboard.row('orders sync')).toContainText('orders:read orders:write');

  // It works for the protected API, with its scopes passed on...
  const allowed = await rest.check(token, 'orders:read');
  expect(allowed.status()).toBe(200);
  expect(allowed.headers()['x-keyward-scopes']).toBe('orders:read orders:write');
  expect((await rest.check(token, 'orders:delete')).status()).toBe(403);
  // ...sees only itself, and manages nothing.
  const me = await (await rest.me(token)).json();
  expect(me.api_keys.map((key: { token_preview: string }) => key.token_preview)).toEqual([previewOf(token)]);
  const listed = await page.request.get('/auth/region/api-keys', { headers: { 'x-api-key': token } });
  expect(listed.status()).toBe(403);
  expect((await listed.json()).type).toBe('urn:keyward:problem:insufficient-scope');

  // Nor does it open the console.
  await dashboard.signOut();
  await signIn.expectShown();
  await signIn.signInWith(token);
  await expect(signIn.error).toHaveText(
    'This API key cannot open the console: it lacks the scope keys:read (an integration key only calls your API)',
  );
});

test('a read-only session sees what it may not do, and why', async ({ page, region, rest, dashboard }) => {
  const reader = await rest.createKey(region.token, 'auditor', ['keys:read']);
  await dashboard.open(reader.token);
  await expect(dashboard.rows()).toHaveCount(2);
  await expect(dashboard.row('auditor')).toContainText('keys:read');
  await expect(dashboard.row(region.preview)).toContainText('full access');

  const reason = page.locator('#read-only-reason');
  await expect(reason).toHaveText(/lacks the scope keys:write/);
  await expect(dashboard.createKey).toBeDisabled();
  await expect(dashboard.createKey).toHaveAttribute('aria-describedby', 'read-only-reason');
  for (const action of ['Edit', 'Rotate', 'Delete'] as const) {
    const button = dashboard.button(dashboard.row(region.preview), action);
    await expect(button).toBeDisabled();
    await expect(button).toHaveAttribute('aria-describedby', 'read-only-reason');
  }
  // Reading works: the activity is there.
  await expect(dashboard.activity('Signed in to the console')).toHaveCount(1);
});

test('the wizard stops the old key later; the dashboard counts down and cancels it', async ({
  page,
  region,
  rest,
  dashboard,
  wizard,
}) => {
  await dashboard.open(region.token);
  await dashboard.button(dashboard.row(region.preview), 'Rotate').click();
  await expect(page.getByText('and gets its scopes (full access)')).toBeVisible();
  const newToken = await wizard.createNewKey();
  await wizard.acknowledgeReveal();
  await wizard.next('Next: verify');
  await wizard.next('Next: delete the old key');

  await wizard.expectStep('Delete the old key');
  await expect(page.getByLabel('Now', { exact: true })).toBeChecked();
  await page.getByLabel('In 24 hours').check();
  await page.getByRole('button', { name: 'Schedule revocation' }).click();

  await dashboard.expectLoaded();
  await expect(page.getByText(/^Rotation finished: the old key first key \(.+\) stops working in 24 h; /)).toBeVisible();
  const oldRow = dashboard.row(region.preview);
  await expect(oldRow).toContainText(/Revoked in 23 h 59 min/);
  // The grace period: the old key still works, and the new one holds its scopes.
  expect((await rest.me(region.token)).status()).toBe(200);
  const scheduled = (await rest.keys(newToken)).find((key) => key.id === region.keyId);
  expect(scheduled?.revoke_at).not.toBeNull();
  expect((await rest.keys(newToken)).find((key) => key.id !== region.keyId)?.scopes).toEqual(['*']);

  await oldRow.getByRole('button', { name: /^Cancel the revocation of/ }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is cancelled: it keeps working' })).toBeAttached();
  await expect(oldRow).not.toContainText('Revoked in');
  await expect(oldRow.getByRole('button', { name: /^Cancel the revocation of/ })).toHaveCount(0);
  expect((await rest.keys(newToken)).find((key) => key.id === region.keyId)?.revoke_at).toBeNull();
  await expect(dashboard.activity(`Scheduled revocation of ${region.preview} cancelled`)).toHaveCount(1);
});
