import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

import { expect, test, type Page } from '@playwright/test';

import { createRegion, violations } from '../fixtures';

// Signing in as a person through a real OpenID provider (npm
// `oidc-provider`, started by scripts/e2e.sh), through its own login and
// consent pages, with the keyboard only.

const run = promisify(execFile);
const provider = process.env.OIDC_PROVIDER_NAME ?? 'Test IdP';

async function keyward(...args: string[]): Promise<string> {
  const { stdout } = await run(process.env.KEYWARD_BIN!, args);
  return stdout;
}

/** The provider's login page, then its consent page, with the keyboard. */
async function throughProvider(page: Page, email: string, button = `Sign in with ${provider}`) {
  await page.getByRole('link', { name: button }).focus();
  await page.keyboard.press('Enter');
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('any password');
  await page.keyboard.press('Enter');
  const consent = page.getByRole('button', { name: 'Continue' });
  await consent.focus();
  await page.keyboard.press('Enter');
}

test.skip(!process.env.OIDC_PROVIDER_NAME, 'no identity provider was started (scripts/e2e.sh starts one)');

test('a person signs in with the identity provider, acts under their own name, and manages administrators', async ({ page }) => {
  const region = await createRegion();
  const email = `ann-${randomUUID().slice(0, 8)}@example.org`;
  await keyward('admin', 'grant', '--region', region.name, '--email', email, '--scopes', 'keys:write');

  await page.goto('/sign-in');
  expect(await violations(page)).toEqual([]);
  await throughProvider(page, email);
  await expect(page.getByRole('heading', { level: 1, name: region.name })).toBeVisible();
  // The audit log names the person, not a key.
  await expect(page.getByText('Signed in to the console').first()).toBeVisible();
  await expect(page.getByRole('cell', { name: email.split('@')[0] }).first()).toBeVisible();

  await page.goto('/administrators');
  await expect(page.getByRole('cell', { name: email, exact: true })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  const bob = `bob-${randomUUID().slice(0, 8)}@example.org`;
  await page.getByLabel('Email address').focus();
  await page.keyboard.type(bob);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('cell', { name: bob, exact: true })).toBeVisible();
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByRole('button', { name: `Revoke ${bob}` }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('cell', { name: bob, exact: true })).toHaveCount(0);
  expect(await violations(page)).toEqual([]);

  // Revoking the person's own grant ends their session on the next request.
  const grants = JSON.parse(await keyward('admin', 'list', '--region', region.name, '--json'));
  expect(grants.map((grant: { email: string }) => grant.email)).toEqual([email]);
  await keyward('admin', 'revoke', '--region', region.name, '--email', email);
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('an unverified email is refused with a readable page, and nothing is opened', async ({ page }) => {
  const region = await createRegion();
  const email = `unverified-${randomUUID().slice(0, 8)}@example.org`;
  await keyward('admin', 'grant', '--region', region.name, '--email', email);
  await page.goto('/sign-in');
  await throughProvider(page, email);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign-in failed' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('not verified');
  expect(await violations(page)).toEqual([]);
  await page.getByRole('link', { name: 'Back to sign-in' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
});

test.describe('in Dutch', () => {
  test.use({ locale: 'nl-NL' });

  test('a person with grants in two regions chooses one, and a refusal is in Dutch too', async ({ page }) => {
    const [manages, reads] = [await createRegion(), await createRegion()];
    const email = `kim-${randomUUID().slice(0, 8)}@example.org`;
    await keyward('admin', 'grant', '--region', manages.name, '--email', email, '--scopes', 'keys:write');
    await keyward('admin', 'grant', '--region', reads.name, '--email', email, '--scopes', 'keys:read');

    await page.goto('/sign-in');
    await expect(page.getByText('Of log in met een API-sleutel van je regio.')).toBeVisible();
    await throughProvider(page, email, `Inloggen met ${provider}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Kies een regio' })).toBeVisible();
    await expect(page.getByText(`Je bent aangemeld als ${email.split("@")[0]}.`)).toBeVisible();
    await expect(page.getByRole('listitem').filter({ hasText: reads.name })).toContainText('alleen lezen');
    await expect(page.getByRole('listitem').filter({ hasText: manages.name })).toContainText('sleutels beheren');
    expect(await violations(page)).toEqual([]);
    await page.getByRole('button', { name: reads.name }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name: reads.name })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Sleutel maken' })).toBeDisabled();

    // Signed out everywhere (the provider's session too), an unverified address is refused in Dutch.
    await page.context().clearCookies();
    const unverified = `unverified-${randomUUID().slice(0, 8)}@example.org`;
    await keyward('admin', 'grant', '--region', manages.name, '--email', unverified);
    await page.goto('/sign-in');
    await throughProvider(page, unverified, `Inloggen met ${provider}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Aanmelden mislukt' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('niet geverifieerd');
    expect(await violations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Terug naar aanmelden' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
  });
});
