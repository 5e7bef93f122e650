import { expect, type Locator, type Page } from '@playwright/test';

/** The API reference at /docs/api: Swagger UI drawing /openapi.json. */
export class ApiReferencePage {
  readonly operations: Locator;

  constructor(readonly page: Page) {
    this.operations = page.locator('.opblock');
  }

  async open() {
    const response = await this.page.goto('/docs/api');
    // The document's title, once the viewer has drawn it.
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText('Keyward');
    return response;
  }

  /** One operation's summary: its method and its path (Swagger UI keeps the
   * path in data-path; the text it shows has break opportunities inserted). */
  operation(method: string, path: string): Locator {
    return this.page.locator(`.opblock-${method}`).filter({
      has: this.page.locator(`.opblock-summary-path[data-path="${path}"]`),
    });
  }
}
