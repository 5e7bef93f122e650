import type { Locator, Page } from '@playwright/test';

import { expect, test, violations } from '../fixtures';
import { Receiver } from '../receiver';

/** The webhooks page, reached from the console's navigation. */
async function openWebhooks(page: Page, pages = 'Console pages', heading = 'Webhooks') {
  await page.getByRole('navigation', { name: pages }).getByRole('link', { name: 'Webhooks' }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

function endpointRow(page: Page, url: string): Locator {
  return page.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: url });
}

/** Adds an endpoint for `url` with these events (all when none are named); leaves the reveal open. */
async function addEndpoint(page: Page, url: string, events: string[] = []) {
  const dialog = page.getByRole('dialog');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(dialog.getByRole('heading', { name: 'Add a webhook endpoint' })).toBeVisible();
  await dialog.getByLabel('URL', { exact: true }).fill(url);
  if (events.length > 0) {
    await dialog.getByLabel('Only these events:').check();
    for (const event of events) await dialog.getByRole('checkbox', { name: event }).check();
  }
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
}

/** The secret in the open reveal, stored: the reveal closes. */
async function storeSecret(page: Page, url: string): Promise<string> {
  const dialog = page.getByRole('dialog');
  const field = dialog.getByRole('textbox', { name: `Signing secret for ${url}` });
  await expect(field).toHaveValue(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const secret = await field.inputValue();
  await dialog.getByRole('button', { name: 'I have stored this secret' }).click();
  await expect(dialog).toBeHidden();
  return secret;
}

/** Everything this browser keeps for the console, as text. */
async function browserStorage(page: Page): Promise<string> {
  return page.evaluate(
    () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie,
  );
}

let receiver: Receiver;
test.beforeEach(async () => {
  receiver = await Receiver.start();
});
test.afterEach(() => receiver?.stop());

test('an endpoint is added with its events and its secret revealed once; a test and a new key arrive verified', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  await dashboard.open(region.token);
  await openWebhooks(page);
  await expect(page.getByText(/^No endpoints yet\./)).toBeVisible();
  expect(await violations(page)).toEqual([]);

  // Add one for two events; the secret is shown once.
  const url = receiver.url();
  const dialog = page.getByRole('dialog');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await dialog.getByLabel('URL', { exact: true }).fill(url);
  await dialog.getByLabel('Description (optional)').fill('e2e receiver');
  await expect(dialog.getByRole('checkbox', { name: 'api_key.created' })).toBeDisabled();
  await dialog.getByLabel('Only these events:').check();
  await dialog.getByRole('checkbox', { name: 'api_key.created' }).check();
  await dialog.getByRole('checkbox', { name: 'api_key.deleted' }).check();
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(dialog.getByRole('heading', { name: "The endpoint's signing secret" })).toBeVisible();
  await expect(dialog).toContainText('you will not see it again');
  await dialog.getByRole('button', { name: 'Copy secret' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Copied.');
  // Escape does not dismiss it; only the explicit acknowledgement does.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeVisible();
  expect(await violations(page)).toEqual([]);
  const secret = await storeSecret(page, url);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  receiver.trust([secret]);
  await expect(page.getByRole('button', { name: 'Add endpoint' })).toBeFocused();
  expect(await page.content()).not.toContain(secret);
  expect(await browserStorage(page)).not.toContain(secret);

  const row = endpointRow(page, url);
  await expect(row).toContainText('e2e receiver');
  await expect(row).toContainText('api_key.created, api_key.deleted');
  await expect(row).toContainText('Enabled');

  // A test event, delivered and verified by the reference library.
  await row.getByRole('button', { name: `Send test to ${url}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `Sent a test event to ${url}` })).toBeVisible();
  const [tested] = await receiver.waitFor('webhook.test');
  expect(tested.verified_by).toEqual([0]);

  // The deliveries view shows it delivered.
  await row.getByRole('button', { name: `Deliveries to ${url}` }).click();
  await expect(dialog.getByRole('heading', { name: `Deliveries to ${url}` })).toBeVisible();
  const delivered = dialog.getByRole('row').filter({ hasText: 'webhook.test' });
  await expect(delivered).toContainText('HTTP 204');
  await expect(delivered).toContainText('delivered');
  await expect(delivered.getByRole('cell').nth(2)).toHaveText('1');
  await expect(delivered.getByRole('cell').nth(4)).toHaveText(/^\d+ ms$/);
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // A key created in the console arrives, verified, and names the key without its token.
  await page.getByRole('link', { name: 'API keys' }).click();
  await dashboard.expectLoaded();
  const token = await dashboard.createKeyAndReveal('webhook watcher');
  await dashboard.acknowledgeReveal();
  const [created] = await receiver.waitFor('api_key.created');
  expect(created.verified_by).toEqual([0]);
  expect(created.body.data.region_id).toBe(region.id);
  expect(created.body.data.key?.description).toBe('webhook watcher');
  expect(JSON.stringify(created)).not.toContain(token);
  // Changes over REST reach it too, but only the events it chose: an update
  // (written before the delete, so due first) never arrives.
  const other = await rest.createKey(region.token, 'over rest');
  const renamed = await page.request.patch(`/auth/region/api-keys/${other.id}`, {
    headers: { 'x-api-key': region.token },
    data: { description: 'renamed over rest' },
  });
  expect(renamed.status()).toBe(200);
  expect((await rest.deleteKey(region.token, other.id)).status()).toBe(204);
  const [deleted] = await receiver.waitFor('api_key.deleted');
  expect(deleted.verified_by).toEqual([0]);
  expect(deleted.body.data.key?.description).toBe('renamed over rest');
  expect(receiver.received.map((request) => request.body.type)).not.toContain('api_key.updated');

  // A new secret: revealed once; for 24 hours both sign.
  await openWebhooks(page);
  await row.getByRole('button', { name: `Rotate secret of ${url}` }).click();
  await expect(dialog.getByRole('heading', { name: 'Rotate the signing secret?' })).toBeVisible();
  await expect(dialog).toContainText(url);
  await dialog.getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = await storeSecret(page, url);
  expect(rotated).not.toBe(secret);
  await expect(row.getByRole('button', { name: `Rotate secret of ${url}` })).toBeFocused();
  await expect(row).toContainText(/The previous secret signs too until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
  receiver.trust([secret, rotated]);
  await row.getByRole('button', { name: `Send test to ${url}` }).click();
  const tests = await receiver.waitFor('webhook.test', 2);
  expect(tests[1].verified_by).toEqual([0, 1]);

  // Deleted after a confirmation that names it.
  await row.getByRole('button', { name: `Delete ${url}` }).click();
  await expect(dialog.getByRole('heading', { name: 'Delete endpoint?' })).toBeVisible();
  await expect(dialog).toContainText(url);
  await dialog.getByRole('button', { name: 'Delete endpoint' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `Deleted the endpoint ${url}.` })).toBeVisible();
  await expect(page.getByText(/^No endpoints yet\./)).toBeVisible();
});

test('a failing endpoint shows it, a delivery is retried now, and a disabled endpoint gets nothing until enabled', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  await dashboard.open(region.token);
  await openWebhooks(page);
  const url = receiver.url();
  await addEndpoint(page, url);
  receiver.trust([await storeSecret(page, url)]);
  const row = endpointRow(page, url);
  await expect(row).toContainText('All events');

  // The receiver fails: the attempt says so, the endpoint shows it is failing.
  receiver.answer(500);
  await row.getByRole('button', { name: `Send test to ${url}` }).click();
  await receiver.waitFor('webhook.test');
  await row.getByRole('button', { name: `Deliveries to ${url}` }).click();
  const dialog = page.getByRole('dialog');
  const attempt = dialog.getByRole('row').filter({ hasText: 'webhook.test' }).first();
  await expect(attempt).toContainText('HTTP 500');
  await expect(attempt).toContainText('will be retried');
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(row).toContainText(/Enabled, failing since (just now|\d+ s ago)/);
  expect(await violations(page)).toEqual([]);
  // It is back: retry now, delivered.
  receiver.answer(204);
  await row.getByRole('button', { name: `Deliveries to ${url}` }).click();
  await attempt.getByRole('button', { name: /^Retry now: webhook\.test msg_/ }).click();
  await expect(dialog.getByRole('status')).toContainText('again now');
  await expect(dialog.getByRole('row').filter({ hasText: 'HTTP 204' }).first()).toContainText('delivered');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Disabled: what happens meanwhile is not sent.
  await row.getByRole('button', { name: `Disable ${url}` }).click();
  await expect(row).toContainText('Disabled: by an administrator');
  await expect(row.getByRole('button', { name: `Enable ${url}` })).toBeFocused();
  expect(await violations(page)).toEqual([]);
  await rest.createKey(region.token, 'while disabled');

  // Enabled again: events flow.
  await row.getByRole('button', { name: `Enable ${url}` }).click();
  await expect(row).toContainText('Enabled');
  await expect(row.getByRole('button', { name: `Disable ${url}` })).toBeFocused();
  await rest.createKey(region.token, 'after enabling');
  const created = await receiver.waitFor('api_key.created');
  expect(created.map((event) => event.body.data.key?.description)).toEqual(['after enabling']);
  expect(created[0].verified_by).toEqual([0]);
});

test('a URL the server refuses is explained at the field, and a wrong one names the field', async ({
  page,
  region,
  dashboard,
}) => {
  await dashboard.open(region.token);
  await openWebhooks(page);
  const dialog = page.getByRole('dialog');
  const field = dialog.getByLabel('URL', { exact: true });
  await addEndpoint(page, 'https://nowhere.invalid/hook');
  await expect(dialog.locator('#webhook-url-error')).toHaveText('Url: the host "nowhere.invalid" does not resolve');
  await expect(field).toBeFocused();
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  expect(await violations(page)).toEqual([]);
  await field.fill('not a url');
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(dialog.locator('#webhook-url-error')).toHaveText(
    'Url: not an absolute URL such as https://hooks.example.com/keyward',
  );
  // No event chosen: refused before the server is asked.
  await field.fill(receiver.url());
  await dialog.getByLabel('Only these events:').check();
  await dialog.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(dialog.locator('#webhook-events-error')).toHaveText('Choose at least one event, or all events');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/^No endpoints yet\./)).toBeVisible();
});

/** Presses Tab until `target` has focus, as a keyboard user would reach it. */
async function tabTo(page: Page, target: Locator, presses = 60) {
  for (let i = 0; i < presses; i++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${target} is not reachable with Tab`);
}

test('the webhooks page works with the keyboard alone and passes axe in the dark theme', async ({
  page,
  region,
  dashboard,
}) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await dashboard.open(region.token);
  await tabTo(page, page.getByRole('link', { name: 'Webhooks' }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
  const add = page.getByRole('button', { name: 'Add endpoint' });
  await tabTo(page, add);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  const url = receiver.url();
  await tabTo(page, dialog.getByLabel('URL', { exact: true }));
  await page.keyboard.type(url);
  // The events: arrow keys move between "all" and "only these", Space checks one.
  await tabTo(page, dialog.getByLabel('All events, also those added later'));
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByLabel('Only these events:')).toBeChecked();
  await tabTo(page, dialog.getByRole('checkbox', { name: 'api_key.quarantined' }));
  await page.keyboard.press('Space');
  await expect(dialog.getByRole('checkbox', { name: 'api_key.quarantined' })).toBeChecked();
  expect(await violations(page)).toEqual([]);
  await tabTo(page, dialog.getByRole('button', { name: 'Add endpoint' }));
  await page.keyboard.press('Enter');
  const stored = dialog.getByRole('button', { name: 'I have stored this secret' });
  await expect(stored).toBeVisible();
  receiver.trust([await dialog.getByRole('textbox', { name: `Signing secret for ${url}` }).inputValue()]);
  expect(await violations(page)).toEqual([]);
  await tabTo(page, stored);
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(add).toBeFocused();

  const row = endpointRow(page, url);
  await expect(row).toContainText('api_key.quarantined');
  await tabTo(page, row.getByRole('button', { name: `Send test to ${url}` }));
  await page.keyboard.press('Enter');
  const [tested] = await receiver.waitFor('webhook.test');
  expect(tested.verified_by).toEqual([0]);
  const deliveries = row.getByRole('button', { name: `Deliveries to ${url}` });
  await tabTo(page, deliveries);
  await page.keyboard.press('Enter');
  await expect(dialog.getByRole('row').filter({ hasText: 'webhook.test' })).toContainText('delivered');
  expect(await violations(page)).toEqual([]);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(deliveries).toBeFocused();
  expect(await violations(page)).toEqual([]);
});

test.describe('in Dutch', () => {
  test.use({ locale: 'nl-NL' });

  test('the webhooks page speaks Dutch, refusals and the reveal included', async ({ page, region }) => {
    await page.goto('/sign-in');
    await page.getByLabel('API-sleutel', { exact: true }).fill(region.token);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await expect(page.getByRole('heading', { name: 'API-sleutels' })).toBeVisible();
    await openWebhooks(page, "Pagina's van de console");
    await expect(page.getByText(/^Nog geen eindpunten\./)).toBeVisible();
    const dialog = page.getByRole('dialog');
    await page.getByRole('button', { name: 'Eindpunt toevoegen' }).click();
    await expect(dialog.getByRole('heading', { name: 'Webhook-eindpunt toevoegen' })).toBeVisible();
    const field = dialog.getByLabel('URL', { exact: true });
    await field.fill('https://nowhere.invalid/hook');
    await dialog.getByRole('button', { name: 'Eindpunt toevoegen' }).click();
    await expect(dialog.locator('#webhook-url-error')).toHaveText(
      'Deze webhook-URL is niet toegestaan (url: the host "nowhere.invalid" does not resolve)',
    );
    await field.fill('ftp://example.com/');
    await dialog.getByRole('button', { name: 'Eindpunt toevoegen' }).click();
    await expect(dialog.locator('#webhook-url-error')).toHaveText('Deze invoer is ongeldig (url: must start with https://)');
    expect(await violations(page)).toEqual([]);

    const url = receiver.url();
    await field.fill(url);
    await dialog.getByLabel('Alleen deze gebeurtenissen:').check();
    await dialog.getByRole('checkbox', { name: /Een sleutel is verwijderd/ }).check();
    await dialog.getByRole('button', { name: 'Eindpunt toevoegen' }).click();
    await expect(dialog).toContainText('Bewaar dit geheim nu: je ziet het niet meer terug.');
    const secret = await dialog.getByRole('textbox', { name: `Ondertekengeheim voor ${url}` }).inputValue();
    receiver.trust([secret]);
    expect(await violations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Ik heb dit geheim bewaard' }).click();
    await expect(dialog).toBeHidden();

    const row = page.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: url });
    await expect(row).toContainText('Ingeschakeld');
    await row.getByRole('button', { name: `Test sturen naar ${url}` }).click();
    await expect(page.getByRole('status').filter({ hasText: `Testgebeurtenis naar ${url} gestuurd` })).toBeVisible();
    await receiver.waitFor('webhook.test');
    await row.getByRole('button', { name: `Leveringen naar ${url}` }).click();
    const delivered = dialog.getByRole('row').filter({ hasText: 'webhook.test' });
    await expect(delivered).toContainText('HTTP-status 204');
    await expect(delivered).toContainText('bezorgd');
    expect(await violations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Sluiten' }).click();
    await row.getByRole('button', { name: `Uitschakelen: ${url}` }).click();
    await expect(row).toContainText('Uitgeschakeld: door een beheerder');
  });
});
