import { expect, type Locator, type Page } from '@playwright/test';

/** The rotation wizard: create -> update -> verify -> delete. */
export class RotationWizard {
  readonly stepper: Locator;

  constructor(readonly page: Page) {
    this.stepper = page.getByRole('list', { name: 'Rotation steps' });
  }

  async expectStep(name: string) {
    await expect(this.stepper.locator('[aria-current="step"]')).toContainText(name);
    await expect(this.page.getByRole('heading', { level: 2 })).toBeVisible();
  }

  descriptionField(): Locator {
    return this.page.getByLabel('Description of the new key');
  }

  async createNewKey(): Promise<string> {
    await this.page.getByRole('button', { name: 'Create new key' }).click();
    const field = this.page.getByRole('textbox', { name: /API key/ });
    await expect(field).toHaveValue(/^kw_(live|test)_/);
    return field.inputValue();
  }

  async acknowledgeReveal() {
    await this.page.getByRole('button', { name: 'I have stored this key' }).click();
  }

  async next(name: 'Next: verify' | 'Next: delete the old key') {
    await this.page.getByRole('button', { name }).click();
  }

  async checkNewKey(token: string) {
    await this.page.getByLabel('New API key').fill(token);
    await this.page.getByRole('button', { name: 'Check new key' }).click();
  }

  verdict(): Locator {
    return this.page.getByRole('status').filter({ hasText: /^New key (in use|not used)/ });
  }
}
