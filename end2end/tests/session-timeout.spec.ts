import { expect, test, violations } from '../fixtures';

// WCAG 2.2.1: the administrator is warned before an idle session ends and
// can keep it with one button. The browser's clock is moved on; the
// server's is not, so the session stays valid and "stay" really keeps it.
test('an idle session warns two minutes before it ends, and one button keeps it', async ({ page, region, dashboard }) => {
  await page.clock.install();
  await dashboard.open(region.token);

  // 30 minutes idle by default: the warning comes after 28.
  await page.clock.fastForward('27:00');
  await expect(dashboard.dialog).toBeHidden();
  await page.clock.fastForward('01:05');
  await expect(dashboard.dialog.getByRole('heading', { name: 'Your session is about to end' })).toBeVisible();
  await expect(dashboard.dialog).toContainText('your session ends in 2 minutes. Stay signed in?');
  expect(await violations(page)).toEqual([]);

  await dashboard.dialog.getByRole('button', { name: 'Stay signed in' }).click();
  await expect(dashboard.dialog).toBeHidden();
  // Announced once the kept session's time left has arrived and the count restarted.
  await expect(page.getByRole('status').filter({ hasText: 'You are still signed in.' })).toBeAttached();
  // Kept: the next warning is another 28 minutes away, and the console works.
  await page.clock.fastForward('27:00');
  await expect(dashboard.dialog).toBeHidden();
  await expect(dashboard.row(region.preview)).toBeVisible();

  // Signing out from the warning.
  await page.clock.fastForward('01:05');
  await dashboard.dialog.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByText('You have signed out.')).toBeVisible();
});
