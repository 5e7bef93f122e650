import { expect, previewOf, test, violations } from '../fixtures';

test('a key is given a rate limit, credits, networks and meta in its dialog, refused at the field when wrong', async ({
  page,
  region,
  rest,
  dashboard,
}) => {
  await dashboard.open(region.token);
  await dashboard.createKey.click();
  const dialog = dashboard.dialog;
  await dialog.getByLabel('Description (optional)').fill('metered');
  await dialog.getByLabel("Your API's scopes", { exact: true }).fill('orders:read');

  // A limit from a preset, then made custom: the model's own rule refuses 0.
  await dialog.getByRole('button', { name: 'Add a rate limit' }).click();
  const limit = dialog.getByRole('group', { name: 'Rate limit 1' });
  await expect(limit.getByLabel('How many')).toHaveValue('0');
  await expect(limit.getByLabel('Name')).toHaveValue('per-minute');
  await limit.getByLabel('How many').selectOption({ label: 'Custom' });
  await limit.getByLabel('Name').fill('burst');
  await limit.getByLabel('Requests').fill('0');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dialog.locator('#policy-limits-error')).toHaveText('Limit must be 1 to 1000000000');
  await expect(dialog.getByRole('button', { name: 'Add a rate limit' })).toBeFocused();
  expect(await violations(page)).toEqual([]);
  await limit.getByLabel('Requests').fill('5');
  await limit.getByLabel('Per how many seconds').fill('60');

  // Networks: one per line, CIDR checked as the server checks it.
  const networks = dialog.getByLabel('Allowed networks');
  await networks.fill('127.0.0.0/8\n10.0.0.0/33');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dialog.locator('#policy-networks-error')).toContainText('"10.0.0.0/33" is not a network in CIDR notation');
  await expect(networks).toBeFocused();
  await expect(networks).toHaveAttribute('aria-invalid', 'true');
  await networks.fill('127.0.0.0/8\n::1');

  // Meta: a JSON object.
  const meta = dialog.getByLabel('Meta (JSON object)');
  await meta.fill('{"plan": ');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dialog.locator('#policy-meta-error')).toHaveText(/^Meta is not valid JSON: /);
  await meta.fill('{"plan": "pro"}');

  await dialog.getByLabel('Credits left').fill('3');
  await dialog.getByRole('button', { name: 'Create key' }).click();
  const token = await dashboard.revealedToken().inputValue();
  await dashboard.acknowledgeReveal();
  const row = dashboard.row('metered');
  await expect(row).toContainText('5 per minute · 3 credits left · 2 networks');

  // The server holds what the dialog gave...
  const stored = (await rest.keys(region.token)).find((key) => key.description === 'metered') as unknown as Record<
    string,
    unknown
  >;
  expect(stored.rate_limits).toEqual([{ name: 'burst', limit: 5, period_s: 60 }]);
  expect(stored.allowed_networks).toEqual(['127.0.0.0/8', '::1/128']);
  expect(stored.meta).toEqual({ plan: 'pro' });
  // ...and enforces it: 3 credits, then none.
  for (let i = 0; i < 3; i++) expect((await rest.check(token, 'orders:read')).status()).toBe(200);
  const exhausted = await rest.check(token, 'orders:read');
  expect(exhausted.status()).toBe(429);
  expect(exhausted.headers()['x-keyward-code']).toBe('credits_exhausted');

  // The usage dialog: credits left and the limit hits, also in the chart's words.
  const usage = dashboard.button(row, 'Usage');
  // Counted in memory, flushed within the flush interval: reopen until shown.
  await expect(async () => {
    if (await dialog.isVisible()) await dialog.getByRole('button', { name: 'Close' }).click();
    await usage.click();
    await expect(dialog.locator('#key-limit-hits')).toHaveText(
      "Refused in this period by the key's policy: 0 over a rate limit, 1 out of credits, 0 from a network not allowed.",
      { timeout: 2_000 },
    );
    await expect(dialog.locator('#key-credits')).toHaveText('This key: 0 credits left.', { timeout: 2_000 });
  }).toPass({ timeout: 20_000, intervals: [500] });
  await expect(dialog.getByRole('heading', { name: `Usage of metered (${previewOf(token)})` })).toBeVisible();
  await expect(dialog.getByText('over a limit, out of credits or from another network')).toBeVisible();
  const chart = dialog.getByRole('img', { name: 'Requests per hour, last 7 days: 4 requests, 1 refused.' });
  await expect(chart.locator('title')).toHaveText([/ UTC: 3 accepted, 1 refused \(out of credits\)$/]);
  await expect(chart.locator('rect.limited')).toHaveCount(1);
  await expect(dialog.getByText('Rate limits of this key: 5 per minute (burst).')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Edit: fresh credits, and the key works again.
  await dashboard.button(row, 'Edit').click();
  await expect(dialog.getByRole('group', { name: 'Rate limit 1' }).getByLabel('Name')).toHaveValue('burst');
  await expect(dialog.getByLabel('Allowed networks')).toHaveValue('127.0.0.0/8\n::1/128');
  expect(await violations(page)).toEqual([]);
  await dialog.getByLabel('Credits left').fill('100');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toContainText('5 per minute · 100 credits left · 2 networks');
  expect((await rest.check(token, 'orders:read')).status()).toBe(200);
  await expect(
    dashboard.activity(`Owner, limits, credits, networks or meta of key ${previewOf(token)} changed`).first(),
  ).toBeVisible();
});

test('a key bound by a policy cannot give a looser one: the refusal is readable', async ({ page, region, dashboard }) => {
  const created = await page.request.post('/auth/region/api-keys', {
    headers: { 'x-api-key': region.token },
    data: { description: 'bound admin', scopes: ['*'], rate_limits: [{ name: 'per-minute', limit: 100, period_s: 60 }] },
  });
  expect(created.status()).toBe(201);
  const bound = await created.json();
  await dashboard.open(bound.token);
  await dashboard.createKey.click();
  await dashboard.dialog.getByLabel("Your API's scopes", { exact: true }).fill('orders:read');
  await dashboard.dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dashboard.dialog.locator('#description-error')).toHaveText(/^An API key can only give a policy as tight as its own/);
  await dashboard.dialog.getByRole('button', { name: 'Add a rate limit' }).click();
  await dashboard.dialog.getByRole('button', { name: 'Create key' }).click();
  await expect(dashboard.revealedToken()).toHaveValue(/^kw_/);
});

test('the rotation wizard says the new key shares the old key\'s owner, limits, networks, meta and budget', async ({
  page,
  region,
  rest,
  dashboard,
  wizard,
}) => {
  const owner = await page.request.post('/auth/region/owners', {
    headers: { 'x-api-key': region.token },
    data: { external_id: 'acme', credits: { remaining: 1000 } },
  });
  expect(owner.status()).toBe(201);
  const { id: ownerId } = await owner.json();
  const created = await page.request.post('/auth/region/api-keys', {
    headers: { 'x-api-key': region.token },
    data: {
      description: 'billing',
      scopes: ['invoices:read'],
      owner_id: ownerId,
      rate_limits: [{ name: 'per-minute', limit: 100, period_s: 60 }],
      credits: { remaining: 50, refill: { amount: 50, interval: 'day' } },
      allowed_networks: ['127.0.0.1'],
      meta: { tier: 'gold' },
    },
  });
  expect(created.status()).toBe(201);

  await dashboard.open(region.token);
  await dashboard.button(dashboard.row('billing'), 'Rotate').click();
  await wizard.expectStep('Create the new key');
  await expect(page.locator('#rotation-shares-budget')).toHaveText(
    "It also gets the old key's owner, rate limits, allowed networks and meta, and spends the same credits: the two keys share one budget, so a rotation never doubles it.",
  );
  await expect(page.locator('#rotation-old-policy')).toHaveText(
    "The old key's policy: owner acme · 100 per minute · 50 credits left, refilled to 50 each day · 1 network.",
  );
  expect(await violations(page)).toEqual([]);
  const newToken = await wizard.createNewKey();
  await wizard.acknowledgeReveal();
  const fresh = (await rest.keys(region.token)).find((key) => key.token_preview === previewOf(newToken)) as unknown as Record<
    string,
    unknown
  >;
  expect(fresh.owner_id).toBe(ownerId);
  expect(fresh.rate_limits).toEqual([{ name: 'per-minute', limit: 100, period_s: 60 }]);
  expect(fresh.allowed_networks).toEqual(['127.0.0.1/32']);
  expect(fresh.meta).toEqual({ tier: 'gold' });
});

test.describe('in Dutch', () => {
  test.use({ locale: 'nl-NL' });

  test('the rotation wizard says it in Dutch, and the key dialog refuses in Dutch', async ({ page, region }) => {
    await page.goto('/sign-in');
    await page.getByLabel('API-sleutel', { exact: true }).fill(region.token);
    await page.getByRole('button', { name: 'Inloggen' }).click();
    await page.getByRole('button', { name: 'Sleutel maken' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Toegestane netwerken').fill('300.1.2.3/8');
    await dialog.getByRole('button', { name: 'Sleutel maken' }).click();
    await expect(dialog.locator('#policy-networks-error')).toHaveText(/^Deze netwerken zijn ongeldig: elke regel/);
    expect(await violations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Annuleren' }).click();
    await page.getByRole('button', { name: /roteren$/ }).first().click();
    await expect(page.locator('#rotation-shares-budget')).toHaveText(
      /^Hij krijgt ook de eigenaar, limieten, toegestane netwerken en meta van de oude sleutel, en verbruikt hetzelfde tegoed/,
    );
  });
});
