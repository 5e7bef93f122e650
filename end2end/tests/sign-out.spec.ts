import { expect, test } from '../fixtures';

test('signing out ends the session', async ({ page, region, dashboard, signIn }) => {
  await dashboard.open(region.token);
  expect(await page.context().cookies()).toHaveLength(1);

  await dashboard.signOut();
  await signIn.expectShown();
  await expect(signIn.notice).toHaveText('You have signed out.');
  expect(await page.context().cookies()).toEqual([]);

  await page.goto('/');
  await signIn.expectShown();
  await expect(signIn.notice).toHaveCount(0);
});
