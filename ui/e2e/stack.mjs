// Starts `nexus-auth dev` on a free loopback port with a temporary data dir, collects its log
// (the outbox prints every email there) and stops it again.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** A port the OS says is free right now (the stack binds it a moment later; retried on a clash). */
function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** The `nexus-auth` binary: $NEXUS_AUTH_BIN, else the debug build of this checkout. */
export function binary() {
  const bin = process.env.NEXUS_AUTH_BIN ?? join(ROOT, 'target/debug/nexus-auth');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: cargo build -p nexus-cli (or set NEXUS_AUTH_BIN)`);
  return bin;
}

/**
 * Starts the stack. `env` adds environment variables (e.g. a short flow lifespan).
 * Resolves to { origin, log(), waitForMail(to, template), stop() }.
 */
export async function startStack({ admins = [], env = {}, name = 'stack' } = {}) {
  const uiDir = join(ROOT, 'ui/build');
  if (!existsSync(join(uiDir, '200.html'))) throw new Error('ui/build is missing: npm run build');
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ admins, env, name, uiDir });
    } catch (e) {
      if (attempt >= 3 || !String(e.message).includes('in use')) throw e;
    }
  }
}

async function startOnce({ admins, env, name, uiDir }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `nexus-e2e-${name}-`));
  const args = ['dev', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--ui-dir', uiDir];
  args.push('--kratos-config', join(ROOT, 'deploy/kratos/kratos.yml'));
  if (admins.length) args.push('--admin', admins.join(','));
  const childEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete childEnv.DSN;
  const child = spawn(binary(), args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set();
  const onData = (chunk) => {
    text += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const l of listeners) l();
  });

  /** Resolves when `test(log)` returns a value, rejects after `ms` or when the process ends. */
  const waitForLog = (test, what, ms = 30_000) =>
    new Promise((ok, fail) => {
      const check = () => {
        const v = test(text);
        if (v) {
          done();
          ok(v);
        } else if (exited) {
          done();
          fail(new Error(`${name}: nexus-auth dev exited (${JSON.stringify(exited)}) while waiting for ${what}\n${text}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        fail(new Error(`${name}: no ${what} within ${ms} ms`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  try {
    await waitForLog((t) => t.includes('Nexus Auth dev stack on'), 'start-up line', 60_000);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  return {
    // On loopback the stack's origin is localhost (WebAuthn refuses IP addresses).
    origin: `http://localhost:${port}`,
    log: () => text,
    /**
     * The body of the `n`-th (1-based) email to `to` rendered from `template`, once the outbox
     * has printed it.
     */
    waitForMail: (to, template, n = 1) =>
      waitForLog((t) => {
        const blocks = mails(t).filter((m) => m.to === to && m.template === template);
        return blocks[n - 1]?.body;
      }, `email #${n} (${template}) to ${to} in the outbox`),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await Promise.race([
          new Promise((ok) => child.once('exit', ok)),
          new Promise((ok) => setTimeout(ok, 10_000))
        ]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
}

/** The emails printed by the outbox: `[outbox] email to X · template T · message ID`, then the text. */
export function mails(log) {
  const out = [];
  const re = /\[outbox\] \w+ to (\S+) · template (\S+) · message \S+\n([\s\S]*?)\n─{20,}/g;
  for (const m of log.matchAll(re)) out.push({ to: m[1], template: m[2], body: m[3] });
  return out;
}

/** The six-digit code in an email body (on a line of its own, as the templates put it). */
export function codeIn(body) {
  const m = body.match(/^\s*(\d{6})\s*$/m);
  if (!m) throw new Error(`no six-digit code in the email:\n${body}`);
  return m[1];
}
