// First load of the login page in headless Chromium: how much JavaScript (gzipped) it takes
// and how long until the form can be used.
//
//   node scripts/measure.mjs [URL] [--runs N] [--budget-kb 100] [--budget-ms 300]
//
// URL defaults to http://localhost:4455/login (the gateway, `nexus-auth dev`, or `vite preview`
// with the identity server on :4433). Each run uses a fresh browser context (empty cache, no
// cookies). "Interactive" is the `flow-interactive` performance mark the page sets after the
// frame that first shows the login form (flow loaded, form rendered, first field focused, then
// painted; the browser's first-contentful-paint when that is later) — measured from the start of navigation, so it includes fetching the flow from the
// identity server. Exits 1 when the median is over a budget.
import { chromium } from 'playwright-core';
import { gzipSync } from 'node:zlib';
import os from 'node:os';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const runs = Number(opt('--runs', '7'));
const budgetKb = Number(opt('--budget-kb', '100'));
const budgetMs = Number(opt('--budget-ms', '300'));
const url = args[0] ?? 'http://localhost:4455/login';

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
});

async function once() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Main-thread CPU time (not wall time): what the page itself costs, whatever else the machine runs.
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const scripts = new Map();
  page.on('response', async (res) => {
    if (res.request().resourceType() !== 'script') return;
    try {
      const body = await res.body();
      scripts.set(res.url(), { raw: body.length, gzip: gzipSync(body).length, encoding: res.headers()['content-encoding'] ?? '' });
    } catch {
      /* redirected or aborted */
    }
  });
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => performance.getEntriesByName('flow-interactive').length > 0, null, { timeout: 10_000 });
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const transfer = performance
      .getEntriesByType('resource')
      .filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'))
      .reduce((n, r) => n + r.transferSize, 0);
    const flow = performance.getEntriesByType('resource').find((r) => r.name.includes('/self-service/login/'));
    return {
      interactive: performance.getEntriesByName('flow-interactive')[0].startTime,
      ready: performance.getEntriesByName('flow-ready')[0]?.startTime ?? NaN,
      flowStart: flow ? flow.startTime : NaN,
      flowDuration: flow ? flow.duration : NaN,
      domContentLoaded: nav.domContentLoadedEventEnd,
      fcp: paint ? paint.startTime : NaN,
      transfer
    };
  });
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => (metrics.find((m) => m.name === name)?.value ?? NaN) * 1000;
  timing.cpu = metric('ThreadTime');
  timing.script = metric('ScriptDuration');
  // Let late requests (lazy chunks) land before counting.
  await page.waitForLoadState('networkidle');
  timing.fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  // The form must also have been presented: count the later of our mark and the first paint.
  if (Number.isFinite(timing.fcp)) timing.interactive = Math.max(timing.interactive, timing.fcp);
  await context.close();
  const list = [...scripts.entries()];
  return {
    ...timing,
    files: list.length,
    raw: list.reduce((n, [, s]) => n + s.raw, 0),
    gzip: list.reduce((n, [, s]) => n + s.gzip, 0),
    list
  };
}

try {
  await once(); // warm up the servers (not counted)
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const kb = (n) => (n / 1024).toFixed(1);
  const last = results[results.length - 1];
  console.log(`First load of ${url} (${runs} runs, fresh context each)`);
  console.log(`JavaScript: ${last.files} files, ${kb(last.raw)} KB raw, ${kb(last.gzip)} KB gzipped (gzip -6 of each file); ${kb(last.transfer)} KB transferred`);
  for (const [u, s] of last.list.sort((a, b) => b[1].gzip - a[1].gzip)) {
    console.log(`  ${kb(s.gzip).padStart(6)} KB gz  ${kb(s.raw).padStart(6)} KB  ${new URL(u).pathname}`);
  }
  const ti = results.map((r) => r.interactive);
  console.log(`Time to interactive (form painted and usable): median ${median(ti).toFixed(0)} ms, min ${Math.min(...ti).toFixed(0)} ms, max ${Math.max(...ti).toFixed(0)} ms`);
  console.log(`  form in the page and focused (before that paint): median ${median(results.map((r) => r.ready)).toFixed(0)} ms`);
  console.log(`  of which the login flow request: starts at ${median(results.map((r) => r.flowStart)).toFixed(0)} ms, takes ${median(results.map((r) => r.flowDuration)).toFixed(0)} ms (median)`);
  console.log(`Main-thread CPU time until then: median ${median(results.map((r) => r.cpu)).toFixed(0)} ms (script ${median(results.map((r) => r.script)).toFixed(0)} ms); 1-minute load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`);
  console.log(`DOMContentLoaded median ${median(results.map((r) => r.domContentLoaded)).toFixed(0)} ms, first contentful paint median ${median(results.map((r) => r.fcp)).toFixed(0)} ms`);
  const over = [];
  if (last.gzip / 1024 > budgetKb) over.push(`JavaScript ${kb(last.gzip)} KB > ${budgetKb} KB`);
  if (median(ti) > budgetMs) over.push(`time to interactive ${median(ti).toFixed(0)} ms > ${budgetMs} ms`);
  console.log(over.length ? `OVER BUDGET: ${over.join('; ')}` : `Within budget (${budgetKb} KB gzipped JS, ${budgetMs} ms)`);
  process.exitCode = over.length ? 1 : 0;
} finally {
  await browser.close();
}
