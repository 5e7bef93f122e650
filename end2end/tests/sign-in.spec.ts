import { expect, test } from '../fixtures';

test('signs in with a key of the region', async ({ page, region, signIn, dashboard }) => {
  await signIn.goto();
  await signIn.signInWith(region.token);
  await dashboard.expectLoaded();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(region.name);
});

test('refuses a wrong key with a plain message', async ({ page, region, signIn }) => {
  await signIn.goto();
  // A near miss of the real key.
  await signIn.signInWith(`${region.token.slice(0, -8)}AAAAAAAA`);
  await expect(signIn.error).toHaveText('This API key is not valid');
  await signIn.expectShown();
  await expect(signIn.apiKey).toBeFocused();

  await signIn.signInWith('not a key at all');
  await expect(signIn.error).toHaveText('This API key is not valid');
  expect(await page.context().cookies()).toEqual([]);
});
