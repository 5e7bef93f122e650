// Measures the console's first load and its whole use, in headless Chromium
// with nothing cached (each run is a fresh browser context):
//
// 1. The sign-in page, `runs` times: the time from navigation to an
//    interactive sign-in form (the "API key" field present, enabled and
//    editable) and every byte that crossed the wire until then (the page,
//    the scripts, the wasm modules, the stylesheet: transfer sizes as the
//    browser reports them, headers included).
// 2. With a region (KEYWARD_TOKEN, or KEYWARD_BIN and DATABASE_URL to make
//    one), once: signing in, the dashboard, a key's usage and the rotation
//    wizard, counting every byte of it, the server functions' answers and
//    the lazily loaded parts of the console included.
//
// A figure for the notes, not a test:
//   KEYWARD_URL=http://127.0.0.1:3000 [KEYWARD_BIN=… DATABASE_URL=…] node end2end/measure-sign-in.mjs [runs]
// Before and after in one run: KEYWARD_URL=<before>,<after> (two servers,
// e.g. of two builds) takes turns between them, run by run (each first
// every other run), and reports each and the pairs' differences;
// DATABASE_URL then names each server's database, in the same order.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { chromium } from '@playwright/test';

const urls = (process.env.KEYWARD_URL ?? '').split(',').filter(Boolean);
if (urls.length === 0) throw new Error('KEYWARD_URL is not set');
const runs = Number(process.argv[2] ?? 10);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** Every response of the page so far: its name and encoded bytes on the wire. */
function wireOf(page) {
  return page.evaluate(() =>
    [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((entry) => ({
      name: new URL(entry.name).pathname,
      transfer: entry.transferSize,
      decoded: entry.decodedBodySize,
    })),
  );
}

const sum = (entries, field = 'transfer') => entries.reduce((total, entry) => total + entry[field], 0);

async function signInForm(page, url) {
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
  return ready.jsonValue();
}

const timings = urls.map(() => []);
const first = [];
for (let run = 0; run < runs; run++) {
  // Who goes first changes every run, so neither always meets a warmer machine.
  const order = [...urls.entries()];
  if (run % 2 === 1) order.reverse();
  for (const [index, url] of order) {
    const context = await browser.newContext();
    const page = await context.newPage();
    timings[index].push(await signInForm(page, url));
    first[index] = await wireOf(page);
    await context.close();
  }
}
if (urls.length === 2) {
  // The two alternate run by run, so a pair saw the same load on the machine.
  const differences = timings[1].map((after, run) => after - timings[0][run]).sort((a, b) => a - b);
  const faster = differences.filter((difference) => difference < 0).length;
  console.log(
    `second minus first, run by run: median ${differences[Math.floor(runs / 2)].toFixed(0)} ms; the second was faster in ${faster} of ${runs} pairs`,
  );
}
for (const [index, url] of urls.entries()) {
  const times = [...timings[index]].sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const wasm = first[index].filter((entry) => entry.name.endsWith('.wasm'));
  console.log(`${url}:`);
  console.log(
    `sign-in form interactive after navigation (${runs} cold runs): median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms`,
  );
  console.log(
    `sign-in page on the wire: ${sum(first[index])} bytes in all, of which wasm ${sum(wasm)} (${sum(wasm, 'decoded')} decoded) in ${wasm.length} module(s)`,
  );
  for (const entry of first[index]) console.log(`  ${entry.transfer}\t${entry.decoded}\t${entry.name}`);
}

async function regionToken(database) {
  if (process.env.KEYWARD_TOKEN) return process.env.KEYWARD_TOKEN;
  if (!process.env.KEYWARD_BIN || !database) return undefined;
  const { stdout } = await promisify(execFile)(
    process.env.KEYWARD_BIN,
    ['region', 'create', '--name', `measure-${Date.now()}`, '--description', 'first key', '--json'],
    { env: { ...process.env, DATABASE_URL: database } },
  );
  return JSON.parse(stdout).api_key.token;
}

const databases = (process.env.DATABASE_URL ?? '').split(',');
for (const [index, url] of urls.entries()) await wholeConsole(url, await regionToken(databases[index]));
await browser.close();

async function wholeConsole(url, token) {
  if (!token) {
    console.log('(no KEYWARD_TOKEN, nor KEYWARD_BIN and DATABASE_URL: the whole console is not measured)');
    return;
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInForm(page, url);
  await page.getByLabel('API key').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  const row = page.getByRole('table', { name: 'API keys' }).locator('tbody').getByRole('row').first();
  await row.getByRole('button', { name: /^Usage\b/ }).click();
  await page.getByRole('dialog').getByRole('img', { name: /^Requests per hour/ }).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
  await row.getByRole('button', { name: /^Rotate\b/ }).click();
  await page.getByRole('list', { name: 'Rotation steps' }).waitFor();
  await page.getByLabel('Description of the new key').waitFor();
  await page.waitForLoadState('networkidle');
  const all = await wireOf(page);
  await context.close();
  const allWasm = all.filter((entry) => entry.name.endsWith('.wasm'));
  const answers = all.filter((entry) => entry.name.startsWith('/api/') || entry.name.startsWith('/auth/'));
  console.log(
    `${url}: sign-in, dashboard, a key's usage, rotation wizard: ${sum(all)} bytes in all, of which wasm ${sum(allWasm)} in ${allWasm.length} module(s), server answers ${sum(answers)} in ${answers.length}`,
  );
  const byName = new Map();
  for (const entry of all) {
    const [count, bytes] = byName.get(entry.name) ?? [0, 0];
    byName.set(entry.name, [count + 1, bytes + entry.transfer]);
  }
  for (const [name, [count, bytes]] of byName) console.log(`  ${bytes}\t${count}x\t${name}`);
}
