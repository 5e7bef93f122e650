import { expect, type Locator, type Page } from '@playwright/test';

export class SignInPage {
  readonly apiKey: Locator;
  readonly submit: Locator;
  readonly error: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.apiKey = page.getByLabel('API key');
    this.submit = page.getByRole('button', { name: 'Sign in' });
    this.error = page.getByRole('alert');
    this.notice = page.getByRole('status');
  }

  async goto() {
    await this.page.goto('/sign-in');
    await expect(this.apiKey).toBeEditable();
  }

  async signInWith(token: string) {
    await this.apiKey.fill(token);
    await this.submit.click();
  }

  async expectShown() {
    await expect(this.page).toHaveURL(/\/sign-in$/);
    await expect(this.page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  }
}
