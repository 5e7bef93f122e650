import { expect, type Locator, type Page } from '@playwright/test';

import { SignInPage } from './sign-in';

/** The dashboard and its dialogs. */
export class DashboardPage {
  readonly keysTable: Locator;
  readonly activityTable: Locator;
  readonly createKey: Locator;
  readonly dialog: Locator;
  readonly notice: Locator;

  constructor(readonly page: Page) {
    this.keysTable = page.getByRole('table', { name: 'API keys' });
    this.activityTable = page.getByRole('table', { name: 'Recent activity' });
    this.createKey = page.getByRole('button', { name: 'Create key' });
    this.dialog = page.getByRole('dialog');
    this.notice = page.getByRole('status').filter({ hasText: /./ }).first();
  }

  /** Signs in with `token` and waits for the keys. */
  async open(token: string) {
    const signIn = new SignInPage(this.page);
    await signIn.goto();
    await signIn.signInWith(token);
    await this.expectLoaded();
  }

  async expectLoaded() {
    await expect(this.page).toHaveURL(/\/$/);
    await expect(this.page.getByRole('heading', { name: 'API keys' })).toBeVisible();
  }

  /** The table row of the key with this preview (or description). */
  row(text: string): Locator {
    return this.keysTable.getByRole('row').filter({ hasText: text });
  }

  /** The audit log entry whose "What" cell says `what`. */
  activity(what: string): Locator {
    return this.activityTable.getByRole('row').filter({ has: this.page.getByRole('cell', { name: what, exact: true }) });
  }

  rows(): Locator {
    return this.keysTable.locator('tbody').getByRole('row');
  }

  button(row: Locator, action: 'Edit' | 'Rotate' | 'Delete' | 'Usage'): Locator {
    return row.getByRole('button', { name: new RegExp(`^${action}\\b`) });
  }

  /** Creates a key and returns the token from the one-time reveal (still open). */
  async createKeyAndReveal(description: string): Promise<string> {
    await this.createKey.click();
    await expect(this.dialog.getByRole('heading', { name: 'Create an API key' })).toBeVisible();
    await this.dialog.getByLabel('Description (optional)').fill(description);
    await this.dialog.getByRole('button', { name: 'Create key' }).click();
    const field = this.revealedToken();
    await expect(field).toHaveValue(/^kw_(live|test)_/);
    return field.inputValue();
  }

  revealedToken(): Locator {
    return this.dialog.getByRole('textbox', { name: /API key/ });
  }

  async acknowledgeReveal() {
    await this.dialog.getByRole('button', { name: 'I have stored this key' }).click();
    await expect(this.dialog).toBeHidden();
  }

  async signOut() {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }
}
