import { ApiReferencePage } from '../pages/api-reference';
import { expect, test } from '../fixtures';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Every test also fails on a Content-Security-Policy violation (fixtures.ts).
test('the API reference shows every operation of /openapi.json, loading nothing from elsewhere', async ({
  page,
  request,
  baseURL,
}) => {
  const elsewhere: string[] = [];
  page.on('request', (sent) => {
    if (new URL(sent.url()).origin !== new URL(baseURL!).origin) elsewhere.push(sent.url());
  });
  const document = await (await request.get('/openapi.json')).json();
  const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, item]) => METHODS.filter((method) => method in item).map((method) => ({ method, path })),
  );
  expect(operations.length).toBeGreaterThan(20);

  const reference = new ApiReferencePage(page);
  const response = await reference.open();
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("script-src 'self';");
  expect(policy).not.toMatch(/unsafe-(inline|eval)/);
  await expect(page).toHaveTitle('Keyward API reference');

  for (const { method, path } of operations) {
    await expect(reference.operation(method, path), `${method.toUpperCase()} ${path}`).toHaveCount(1);
  }
  await expect(reference.operations).toHaveCount(operations.length);
  expect(elsewhere, 'requests to other origins').toEqual([]);
});

test('an operation opens with its parameters and answers', async ({ page }) => {
  const reference = new ApiReferencePage(page);
  await reference.open();
  const deleteKey = reference.operation('delete', '/auth/region/api-keys/{id}');
  await deleteKey.getByRole('button').first().click();
  await expect(deleteKey.getByText('409', { exact: true })).toBeVisible();
  await expect(deleteKey.getByRole('button', { name: 'Try it out' })).toBeVisible();
});
