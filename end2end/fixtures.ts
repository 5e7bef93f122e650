import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test';

import { DashboardPage } from './pages/dashboard';
import { RotationWizard } from './pages/rotation';
import { SignInPage } from './pages/sign-in';

const run = promisify(execFile);

/** A key as the REST API shows it. */
export interface ApiKey {
  id: string;
  token_preview: string;
  description: string | null;
  last_used_at: string | null;
  scopes: string[];
  revoke_at: string | null;
}

/** A fresh region, made with `keyward region create --json`, and its first key. */
export interface Region {
  id: string;
  name: string;
  token: string;
  keyId: string;
  preview: string;
}

export async function createRegion({ sandbox = false } = {}): Promise<Region> {
  const bin = process.env.KEYWARD_BIN;
  if (!bin || !process.env.DATABASE_URL) {
    throw new Error('KEYWARD_BIN and DATABASE_URL must name the binary and the database of the server under test');
  }
  const name = `e2e-${randomUUID()}`;
  const args = ['region', 'create', '--name', name, '--description', 'first key', '--json'];
  const { stdout } = await run(bin, sandbox ? [...args, '--sandbox'] : args);
  const created = JSON.parse(stdout);
  return {
    id: created.region.id,
    name,
    token: created.api_key.token,
    keyId: created.api_key.id,
    preview: created.api_key.token_preview,
  };
}

/** axe-core's WCAG 2.0 and 2.1 level A and AA rules on the page as it is now. */
export async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.flatMap((violation) =>
    violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`),
  );
}

/** The preview the server shows for a token: prefix, four lookup characters, the last four. */
export function previewOf(token: string): string {
  return `${token.slice(0, 12)}…${token.slice(-4)}`;
}

/** The REST API, as an integration calls it. */
export class Rest {
  constructor(private readonly request: APIRequestContext) {}

  async me(token: string) {
    return this.request.get('/auth/regions/me', { headers: { 'x-api-key': token } });
  }

  /** Without `scopes`, the new key gets the creator's. */
  async createKey(token: string, description: string, scopes?: string[]): Promise<ApiKey & { token: string }> {
    const response = await this.request.post('/auth/region/api-keys', {
      headers: { 'x-api-key': token },
      data: scopes ? { description, scopes } : { description },
    });
    expect(response.status()).toBe(201);
    return response.json();
  }

  async deleteKey(token: string, keyId: string) {
    return this.request.delete(`/auth/region/api-keys/${keyId}`, { headers: { 'x-api-key': token } });
  }

  /** Forward authentication, as a reverse proxy asks it. */
  async check(token: string, scope?: string) {
    const query = scope ? `?scope=${encodeURIComponent(scope)}` : '';
    return this.request.get(`/auth/check${query}`, { headers: { 'x-api-key': token } });
  }

  async keys(token: string): Promise<ApiKey[]> {
    const response = await this.request.get('/auth/region/api-keys', { headers: { 'x-api-key': token } });
    expect(response.status()).toBe(200);
    return response.json();
  }
}

export const test = base.extend<{
  region: Region;
  rest: Rest;
  signIn: SignInPage;
  dashboard: DashboardPage;
  wizard: RotationWizard;
  policyViolations: string[];
}>({
  // eslint-disable-next-line no-empty-pattern
  region: async ({}, use) => use(await createRegion()),
  rest: async ({ request }, use) => use(new Rest(request)),
  signIn: async ({ page }, use) => use(new SignInPage(page)),
  dashboard: async ({ page }, use) => use(new DashboardPage(page)),
  wizard: async ({ page }, use) => use(new RotationWizard(page)),
  // Every test also proves the console works under its Content-Security-Policy:
  // Chromium reports each blocked script, style or request on the console.
  // A test that provokes violations on purpose takes them out of this list.
  policyViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) violations.push(message.text());
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
