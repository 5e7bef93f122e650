import { expect, previewOf, test, violations } from '../fixtures';

// The browser asks for Dutch, as a Dutch administrator's does.
test.use({ locale: 'nl-NL' });

test('the main flows work in Dutch: sign in, create and store, edit, delete, rotate', async ({ page, region, rest }) => {
  const other = await rest.createKey(region.token, 'facturatie');
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'nl');
  await expect(page.getByRole('heading', { name: 'Inloggen' })).toBeVisible();
  await page.getByLabel('API-sleutel', { exact: true }).fill(`${region.token}x`);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page.getByRole('alert')).toHaveText('Deze API-sleutel is niet geldig');
  await page.getByLabel('API-sleutel', { exact: true }).fill(region.token);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page.getByRole('heading', { name: 'API-sleutels' })).toBeVisible();
  expect(await violations(page)).toEqual([]);

  // Create a key and store it from the one-time reveal.
  await page.getByRole('button', { name: 'Sleutel maken' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('heading', { name: 'API-sleutel maken' })).toBeVisible();
  await dialog.getByLabel('Omschrijving (optioneel)').fill('parkeren');
  await dialog.getByLabel('Scopes van je API', { exact: true }).fill('parking:read');
  await dialog.getByRole('button', { name: 'Sleutel maken' }).click();
  await expect(dialog.getByRole('heading', { name: 'Je nieuwe API-sleutel' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Ik heb deze sleutel bewaard' }).click();
  const keys = page.getByRole('table', { name: 'API-sleutels' });
  await expect(keys.getByRole('row').filter({ hasText: 'parkeren' })).toContainText('parking:read');

  // Edit its description.
  await keys.getByRole('button', { name: /^parkeren .* bewerken$/ }).click();
  await dialog.getByLabel('Omschrijving (optioneel)').fill('parkeren app');
  await dialog.getByRole('button', { name: 'Opslaan' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Sleutel kw_live_\S+ opgeslagen\.$/ })).toHaveCount(1);
  await expect(keys.getByRole('row').filter({ hasText: 'parkeren app' })).toHaveCount(1);

  // A refusal by the server, worded in Dutch by its problem type: the key
  // was deleted behind the console's back.
  await keys.getByRole('button', { name: /^facturatie .* verwijderen$/ }).click();
  await expect(dialog.getByRole('heading', { name: 'API-sleutel verwijderen?' })).toBeVisible();
  expect((await rest.deleteKey(region.token, other.id)).status()).toBe(204);
  await dialog.getByRole('button', { name: 'Sleutel verwijderen' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Er is geen API-sleutel met dit id in je regio');
  await dialog.getByRole('button', { name: 'Annuleren' }).click();
  await page.reload();
  await expect(keys.getByRole('row').filter({ hasText: 'facturatie' })).toHaveCount(0);

  // Delete the new key.
  await keys.getByRole('button', { name: /^parkeren app .* verwijderen$/ }).click();
  await dialog.getByRole('button', { name: 'Sleutel verwijderen' }).click();
  await expect(keys.getByRole('row').filter({ hasText: 'parkeren app' })).toHaveCount(0);

  // Rotate the session's own key, end to end.
  await keys.getByRole('button', { name: /roteren$/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Een API-sleutel roteren' })).toBeVisible();
  await page.getByRole('button', { name: 'Nieuwe sleutel maken' }).click();
  const revealed = page.getByRole('textbox', { name: /API-sleutel/ });
  await expect(revealed).toHaveValue(/^kw_live_/);
  const newToken = await revealed.inputValue();
  await page.getByRole('button', { name: 'Ik heb deze sleutel bewaard' }).click();
  await page.getByRole('button', { name: 'Volgende: controleren' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Nieuwe sleutel nog niet gebruikt; oude sleutel / })).toBeVisible();
  expect((await rest.me(newToken)).status()).toBe(200);
  await expect(page.getByRole('status').filter({ hasText: /^Nieuwe sleutel in gebruik/ })).toBeVisible({
    timeout: 20_000,
  });
  await expect(page.getByRole('img', { name: /^Nieuwe sleutel: verzoeken per minuut, afgelopen uur: 1 verzoek\.$/ })).toBeVisible({
    timeout: 20_000,
  });
  expect(await violations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Volgende: oude sleutel verwijderen' }).click();
  await page.getByRole('button', { name: 'Oude sleutel verwijderen' }).click();
  await expect(page.getByText(/^Rotatie afgerond: de oude sleutel .* is verwijderd\.$/)).toBeVisible();
  await expect(keys.getByRole('row').filter({ hasText: previewOf(newToken) })).toHaveCount(1);
});

test('the language switch is remembered, and the accessibility statement speaks both', async ({ page, region }) => {
  await page.goto('/accessibility');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Toegankelijkheidsverklaring');
  expect(await violations(page)).toEqual([]);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accessibility statement');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  expect(await violations(page)).toEqual([]);
  // Remembered in this browser, over the browser's own Dutch.
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.getByRole('button', { name: 'Nederlands' }).click();
  await expect(page.getByRole('heading', { name: 'Inloggen' })).toBeVisible();
  await page.getByLabel('API-sleutel', { exact: true }).fill(region.token);
  await page.getByRole('button', { name: 'Inloggen' }).click();
  await expect(page.getByRole('link', { name: 'Toegankelijkheidsverklaring' })).toBeVisible();
});
