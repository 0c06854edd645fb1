// The identity server's own `/.well-known/ory/webauthn.js`, driven the way Kratos UIs use it:
// a plain page on another port renders the flows' nodes, loads the `script` node (with its
// integrity, cross-origin), and calls `window[onclickTrigger]()`. Chromium's virtual
// authenticator answers. Journey: sign up with a passkey → sign in with it → add a security
// key in settings → sign in at aal2 with the key.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { binary } from './stack.mjs';

const freePort = () =>
  new Promise((ok, fail) => {
    const s = netServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

function config(kratos, admin, ui) {
  const rp = { id: 'localhost', display_name: 'Nexus e2e', origins: [ui] };
  return {
    dsn: 'memory',
    serve: {
      public: { base_url: `${kratos}/`, host: '127.0.0.1', port: Number(new URL(kratos).port),
        cors: { enabled: true, allowed_origins: [ui], allow_credentials: true } },
      admin: { base_url: `${admin}/`, host: '127.0.0.1', port: Number(new URL(admin).port) },
    },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: `file://${join(import.meta.dirname, '../../deploy/kratos/identity.schema.json')}` }] },
    selfservice: {
      default_browser_return_url: `${ui}/welcome`,
      allowed_return_urls: [`${ui}/`],
      methods: {
        password: { enabled: true },
        webauthn: { enabled: true, config: { passwordless: false, rp } },
        passkey: { enabled: true, config: { rp } },
      },
      flows: {
        error: { ui_url: `${ui}/error` },
        login: { ui_url: `${ui}/login` },
        settings: { ui_url: `${ui}/settings` },
        registration: { ui_url: `${ui}/registration`, style: 'unified', after: { passkey: { hooks: [{ hook: 'session' }] } } },
      },
    },
    session: { whoami: { required_aal: 'aal1' } },
    secrets: { cookie: ['e2e-cookie-secret-0123456789abcdef'], default: ['e2e-default-secret-0123456789abcd'] },
    log: { level: 'warning' },
  };
}

async function main() {
  const [kp, ap, up] = [await freePort(), await freePort(), await freePort()];
  const kratos = `http://localhost:${kp}`;
  const ui = `http://localhost:${up}`;
  const dir = mkdtempSync(join(tmpdir(), 'nexus-ory-script-'));
  const cfg = join(dir, 'kratos.json');
  writeFileSync(cfg, JSON.stringify(config(kratos, `http://127.0.0.1:${ap}`, ui)));
  const server = spawn(binary(), ['identity', 'serve', '-c', cfg, '--dev'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  server.stdout.on('data', (d) => (log += d));
  server.stderr.on('data', (d) => (log += d));
  const page = readFileSync(join(import.meta.dirname, 'ory-script/page.html'), 'utf8').replace('%KRATOS%', kratos);
  const uiServer = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
  await new Promise((ok) => uiServer.listen(up, '127.0.0.1', ok));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const steps = [];
  const step = async (name, fn) => {
    const t = Date.now();
    await fn();
    steps.push(name);
    console.log(`ok ${steps.length} - ${name} (${Date.now() - t} ms)`);
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${kratos}/health/ready`)).ok) break;
      } catch {}
      if (i > 100) throw new Error(`identity server did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const context = await browser.newContext();
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    const open = async (path) => {
      await tab.goto(`${kratos}${path}`);
      await tab.waitForSelector('body[data-rendered="yes"]');
      await tab.waitForSelector('body[data-script="loaded"]', { timeout: 5000 }).catch(async () => {
        throw new Error(`webauthn.js did not load (${await tab.getAttribute('body', 'data-script')})`);
      });
    };
    const session = async () => {
      await tab.waitForURL(`${ui}/welcome`);
      await tab.waitForFunction(() => document.getElementById('out').textContent.length > 0);
      return JSON.parse(await tab.textContent('#out'));
    };
    const methods = (s) => (s.authentication_methods ?? []).map((m) => `${m.method}:${m.aal}`).join(',');
    const email = `passkey-${Date.now()}@example.com`;

    await step('sign up with a passkey through oryPasskeyRegistration', async () => {
      await open('/self-service/registration/browser');
      await tab.fill('input[name="traits.email"]', email);
      await tab.click('button[name="passkey_register_trigger"]');
      const s = await session();
      if (s.identity?.traits?.email !== email || methods(s) !== 'passkey:aal1') throw new Error(JSON.stringify(s));
    });
    await context.clearCookies();
    await step('sign in with the passkey through oryPasskeyLogin', async () => {
      await open('/self-service/login/browser');
      await tab.click('button[name="passkey_login_trigger"]');
      const s = await session();
      if (s.identity?.traits?.email !== email) throw new Error(JSON.stringify(s));
    });
    await step('add a security key through oryWebAuthnRegistration', async () => {
      await open('/self-service/settings/browser');
      await tab.fill('input[name="webauthn_register_displayname"]', 'virtual key');
      await tab.click('button[name="webauthn_register_trigger"]');
      await tab.waitForSelector('button[name="webauthn_remove"]');
      const text = await tab.textContent('button[name="webauthn_remove"]');
      if (!text.includes('virtual key')) throw new Error(text);
    });
    await step('sign in at aal2 with the key through oryWebAuthnLogin', async () => {
      await open('/self-service/login/browser?aal=aal2&refresh=true');
      await tab.click('button[name="webauthn_login_trigger"]');
      const s = await session();
      if (s.authenticator_assurance_level !== 'aal2' || !methods(s).includes('webauthn:aal2')) throw new Error(JSON.stringify(s));
    });
    console.log(`webauthn.js e2e: ${steps.length}/4 steps passed`);
  } finally {
    await browser.close();
    uiServer.close();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`webauthn.js e2e failed: ${e.stack ?? e}`);
  process.exit(1);
});
