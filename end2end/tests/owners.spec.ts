import type { Locator, Page } from '@playwright/test';

import { expect, test, violations } from '../fixtures';

/** The owners page, reached from the dashboard's navigation. */
async function openOwners(page: Page) {
  await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Owners' }).click();
  await expect(page).toHaveURL(/\/owners$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Owners' })).toBeVisible();
}

function ownerRow(page: Page, externalId: string): Locator {
  return page.getByRole('table', { name: 'Owners' }).getByRole('row').filter({ hasText: externalId });
}

test('owners are created, edited, listed with their keys, and not deleted while they have keys', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  await dashboard.open(region.token);
  await openOwners(page);
  await expect(page.getByText(/^No owners yet\./)).toBeVisible();
  expect(await violations(page)).toEqual([]);

  // Create one whose keys share a limit and monthly credits.
  const dialog = page.getByRole('dialog');
  await page.getByRole('button', { name: 'Create owner' }).click();
  await expect(dialog.getByRole('heading', { name: 'Create an owner' })).toBeVisible();
  await dialog.getByLabel('External id').fill('customer-4711');
  await dialog.getByRole('button', { name: 'Add a rate limit' }).click();
  await dialog.getByRole('group', { name: 'Rate limit 1' }).getByLabel('How many').selectOption({ label: '1,000 per hour' });
  await expect(dialog.getByRole('group', { name: 'Rate limit 1' }).getByLabel('Name')).toHaveValue('per-hour');
  await dialog.getByLabel('Credits left').fill('5,000');
  await dialog.getByLabel('Refill to (optional)').fill('5000');
  await dialog.getByLabel('Refilled at the start of each').selectOption('month');
  await dialog.getByLabel('Meta (JSON object)').fill('{"plan": "pro"}');
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Create owner' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Created the owner customer-4711.' })).toBeAttached();
  const row = ownerRow(page, 'customer-4711');
  await expect(row).toContainText('1,000 per hour (per-hour)');
  await expect(row).toContainText('5,000 credits left, refilled to 5,000 each month');
  expect(await violations(page)).toEqual([]);

  // External ids are unique: the server's 409 is shown at the field.
  await page.getByRole('button', { name: 'Create owner' }).click();
  await dialog.getByLabel('External id').fill('customer-4711');
  await dialog.getByRole('button', { name: 'Create owner' }).click();
  await expect(dialog.locator('#external-id-error')).toHaveText(
    'An owner with the external_id "customer-4711" already exists in this region',
  );
  await expect(dialog.getByLabel('External id')).toBeFocused();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // Edit: a new external id, one more limit, no credits.
  await row.getByRole('button', { name: 'Edit customer-4711' }).click();
  await expect(dialog.getByLabel('Credits left')).toHaveValue('5000');
  await expect(dialog.getByLabel('Meta (JSON object)')).toHaveValue(/"plan": "pro"/);
  await dialog.getByLabel('External id').fill('customer-4712');
  await dialog.getByRole('button', { name: 'Add a rate limit' }).click();
  await expect(dialog.getByRole('group', { name: 'Rate limit 2' }).getByLabel('Name')).toHaveValue('per-minute');
  await dialog.getByLabel('Credits left').fill('');
  await dialog.getByLabel('Refill to (optional)').fill('');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  const renamed = ownerRow(page, 'customer-4712');
  await expect(renamed).toContainText('1,000 per hour (per-hour), 100 per minute (per-minute)');
  await expect(renamed).toContainText('unlimited');
  await expect(renamed.getByRole('button', { name: 'Edit customer-4712' })).toBeFocused();

  // Give it a key from the key dialog.
  await page.getByRole('link', { name: 'API keys' }).click();
  await dashboard.expectLoaded();
  await dashboard.createKey.click();
  await dashboard.dialog.getByLabel('Description (optional)').fill('shop');
  await dashboard.dialog.getByLabel("Your API's scopes", { exact: true }).fill('orders:read');
  await dashboard.dialog.getByLabel('Owner', { exact: true }).selectOption({ label: 'customer-4712' });
  await dashboard.dialog.getByRole('button', { name: 'Create key' }).click();
  const token = await dashboard.revealedToken().inputValue();
  await dashboard.acknowledgeReveal();
  await expect(dashboard.row('shop')).toContainText('owner customer-4712');
  // Its protected API learns whose key it is.
  const allowed = await rest.check(token, 'orders:read');
  expect(allowed.status()).toBe(200);
  expect(allowed.headers()['x-keyward-owner']).toBe('customer-4712');

  // The owner lists it.
  await openOwners(page);
  await expect(renamed.getByRole('cell').nth(1)).toHaveText('1');
  await renamed.getByRole('button', { name: 'Keys of customer-4712' }).click();
  await expect(dialog.getByRole('heading', { name: 'Keys of customer-4712' })).toBeVisible();
  await expect(dialog.getByRole('row').filter({ hasText: 'shop' })).toHaveCount(1);
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // An owner with keys is not deleted: the 409, in plain words.
  await renamed.getByRole('button', { name: 'Delete customer-4712' }).click();
  await expect(dialog.getByRole('heading', { name: 'Delete owner?' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Delete owner' }).click();
  await expect(dialog.getByRole('alert')).toHaveText(
    'This owner still has 1 API keys; delete them or move them to another owner first',
  );
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // Without its key it goes.
  const shop = (await rest.keys(region.token)).find((key) => key.description === 'shop');
  expect((await rest.deleteKey(region.token, shop!.id)).status()).toBe(204);
  await page.reload();
  await renamed.getByRole('button', { name: 'Delete customer-4712' }).click();
  await dialog.getByRole('button', { name: 'Delete owner' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted the owner customer-4712.' })).toBeAttached();
  await expect(page.getByText(/^No owners yet\./)).toBeVisible();
  await page.getByRole('link', { name: 'API keys' }).click();
  await expect(dashboard.activity('Owner customer-4712 deleted')).toHaveCount(1);
});

test('the owners page works with the keyboard alone and passes axe in the dark theme', async ({
  page,
  region,
  dashboard,
}) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await dashboard.open(region.token);
  await openOwners(page);
  const create = page.getByRole('button', { name: 'Create owner' });
  for (let i = 0; i < 30 && !(await create.evaluate((element) => element === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('External id')).toBeFocused();
  await page.keyboard.type('team-a');
  // Enter submits from the field; a wrong meta is refused at its field, focused.
  await dialog.getByLabel('Meta (JSON object)').fill('[1]');
  await dialog.getByLabel('External id').focus();
  await page.keyboard.press('Enter');
  await expect(dialog.locator('#policy-meta-error')).toHaveText('Meta must be a JSON object');
  await expect(dialog.getByLabel('Meta (JSON object)')).toBeFocused();
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await dialog.getByLabel('External id').focus();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(ownerRow(page, 'team-a')).toHaveCount(1);
  await expect(create).toBeFocused();
  expect(await violations(page)).toEqual([]);
});

test.describe('in Dutch', () => {
  test.use({ locale: 'nl-NL' });

  test('the owners page and the policy fields speak Dutch, refusals included', async ({ page, region }) => {
    await page.goto('/sign-in');
    await page.getByLabel('API-sleutel', { exact: true }).fill(region.token);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await expect(page.getByRole('heading', { name: 'API-sleutels' })).toBeVisible();
    await page.getByRole('navigation', { name: "Pagina's van de console" }).getByRole('link', { name: 'Eigenaren' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Eigenaren' })).toBeVisible();
    await page.getByRole('button', { name: 'Eigenaar maken' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Externe id').fill('klant-1');
    await dialog.getByRole('button', { name: 'Limiet toevoegen' }).click();
    const limit = dialog.getByRole('group', { name: 'Limiet 1' });
    await limit.getByLabel('Hoeveel').selectOption({ label: 'Aangepast' });
    await limit.getByLabel('Verzoeken').fill('0');
    await dialog.getByRole('button', { name: 'Eigenaar maken' }).click();
    await expect(dialog.locator('#policy-limits-error')).toHaveText(/^Deze limieten zijn ongeldig: hoogstens 5/);
    expect(await violations(page)).toEqual([]);
    await limit.getByLabel('Verzoeken').fill('10.000');
    await limit.getByLabel('Per hoeveel seconden').fill('86400');
    await dialog.getByLabel('Resterend tegoed').fill('250');
    await dialog.getByRole('button', { name: 'Eigenaar maken' }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByRole('table', { name: 'Eigenaren' }).getByRole('row').filter({ hasText: 'klant-1' });
    await expect(row).toContainText('10.000 per dag (per-minute)');
    await expect(row).toContainText('nog 250 credits');

    // A second owner with the same external id: the server's 409 in Dutch.
    await page.getByRole('button', { name: 'Eigenaar maken' }).click();
    await dialog.getByLabel('Externe id').fill('klant-1');
    await dialog.getByRole('button', { name: 'Eigenaar maken' }).click();
    await expect(dialog.locator('#external-id-error')).toHaveText('Er bestaat al een eigenaar met deze external_id in je regio');
    expect(await violations(page)).toEqual([]);
  });
});
