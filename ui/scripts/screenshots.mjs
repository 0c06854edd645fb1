// Screenshots of UI pages at desktop (1280px) and phone (390px) widths, for looking at them.
// Usage: node scripts/screenshots.mjs [base URL] [out dir] [path ...]
//   e.g. node scripts/screenshots.mjs http://localhost:4455 screenshots /login /registration
// Pass `@name=value` pairs through SHOT_ACTIONS is not supported: log in first with
// SHOT_LOGIN=email:password to capture pages that need a session.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base = 'http://localhost:4455', out = 'screenshots', ...paths] = process.argv.slice(2);
const list = paths.length ? paths : ['/login', '/registration', '/recovery', '/verification', '/error?id=x', '/'];
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
});
try {
  for (const [label, width, height] of [['desktop', 1280, 860], ['phone', 390, 844]]) {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) console.error(`[${label}] console: ${m.text()}`);
    });
    page.on('response', (r) => r.status() >= 400 && console.error(`[${label}] ${r.status()} ${r.url()}`));
    if (process.env.SHOT_LOGIN) {
      const [email, password] = process.env.SHOT_LOGIN.split(':');
      await page.goto(`${base}/login`);
      await page.fill('input[name=identifier]', email);
      await page.fill('input[name=password]', password);
      await page.click('button[value=password]');
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    }
    for (const path of list) {
      await page.goto(base + path, { waitUntil: 'networkidle' });
      await page.waitForTimeout(150);
      const name = path.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '_') || 'home';
      await page.screenshot({ path: `${out}/${name}-${label}.png`, fullPage: true });
      console.log(`${out}/${name}-${label}.png`);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
