import { expect, test } from '../fixtures';

test('the console runs under a policy that blocks injected scripts', async ({
  page,
  region,
  dashboard,
  policyViolations,
}) => {
  const response = await page.goto('/');
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]+=*';/);
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);

  await dashboard.open(region.token);
  expect(policyViolations).toEqual([]);
  // What cross-site scripting would inject: a script element and an inline
  // event handler. Both stay inert.
  const outcome = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.injectedScriptRan = true;';
    document.body.append(script);
    const image = document.createElement('img');
    image.setAttribute('onerror', 'window.injectedHandlerRan = true;');
    const failed = new Promise((resolve) => image.addEventListener('error', resolve));
    image.src = '/no-such-image.png';
    document.body.append(image);
    await failed;
    return { scriptRan: 'injectedScriptRan' in window, handlerRan: 'injectedHandlerRan' in window };
  });
  expect(outcome).toEqual({ scriptRan: false, handlerRan: false });
  await expect.poll(() => policyViolations.length).toBe(2);
  policyViolations.length = 0;
});
