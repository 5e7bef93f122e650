// Measures the time from navigation to an interactive sign-in form (the
// "API key" field present, enabled and editable) in headless Chromium, and
// the bytes that crossed the wire for it (the page, the script, the wasm,
// the stylesheet: transfer sizes as the browser reports them).
// A figure for the notes, not a test:
//   KEYWARD_URL=http://127.0.0.1:3000 node end2end/measure-sign-in.mjs [runs]
// Each run uses a fresh browser context, so nothing comes from the cache.
import { chromium } from '@playwright/test';

const url = process.env.KEYWARD_URL;
if (!url) throw new Error('KEYWARD_URL is not set');
const runs = Number(process.argv[2] ?? 10);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const timings = [];
let wire;
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(new URL('/sign-in', url).href, { waitUntil: 'commit' });
  // performance.now() counts from the navigation's start; polled every frame.
  const ready = await page.waitForFunction(
    () => {
      const field = document.getElementById('api-key');
      return field instanceof HTMLInputElement && !field.disabled && !field.readOnly && performance.now();
    },
    undefined,
    { polling: 'raf' },
  );
  timings.push(await ready.jsonValue());
  wire = await page.evaluate(() => {
    const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const wasm = entries.find((entry) => entry.name.endsWith('.wasm'));
    return {
      total: entries.reduce((sum, entry) => sum + entry.transferSize, 0),
      wasm: wasm?.transferSize ?? 0,
      wasmDecoded: wasm?.decodedBodySize ?? 0,
    };
  });
  await context.close();
}
await browser.close();
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)];
console.log(`sign-in form interactive after navigation (${runs} cold runs): median ${median.toFixed(0)} ms, min ${timings[0].toFixed(0)} ms, max ${timings.at(-1).toFixed(0)} ms`);
console.log(`on the wire: ${wire.total} bytes in all, of which the wasm ${wire.wasm} (${wire.wasmDecoded} decoded)`);
