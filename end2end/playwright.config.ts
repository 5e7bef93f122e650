import { defineConfig } from '@playwright/test';

// Runs against a keyward that is already serving the built console
// (scripts/e2e.sh starts one and sets these variables).
const baseURL = process.env.KEYWARD_URL;
if (!baseURL) {
  throw new Error('KEYWARD_URL is not set: run the suite through scripts/e2e.sh, or point it at a running keyward');
}

export default defineConfig({
  testDir: './tests',
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    permissions: ['clipboard-read', 'clipboard-write'],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
