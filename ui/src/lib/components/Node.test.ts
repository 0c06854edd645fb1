// Rendering of each node type, on the server renderer (same markup as in the browser).
import type { UiNode } from '@ory/client-fetch';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import Node from './Node.svelte';

const node = (type: string, group: string, attributes: Record<string, unknown>, extra: Partial<UiNode> = {}): UiNode =>
  ({ type, group, attributes: { node_type: type, ...attributes }, messages: [], meta: {}, ...extra }) as unknown as UiNode;

// Without Svelte's hydration markers, so the markup reads as written.
const html = (n: UiNode) => render(Node, { props: { node: n, id: 'n1' } }).body.replace(/<!--.*?-->/g, '');

describe('Node', () => {
  it('renders a text input with its label, required mark, autocomplete and messages', () => {
    const out = html(
      node(
        'input',
        'default',
        { name: 'identifier', type: 'text', value: 'ada@example.com', required: true, autocomplete: 'username webauthn' },
        {
          meta: { label: { id: 1070002, text: 'Email', type: 'info', context: { title: 'Email' } } },
          messages: [{ id: 4000002, text: 'x', type: 'error', context: { property: 'identifier' } }]
        } as Partial<UiNode>
      )
    );
    expect(out).toMatch(/<label for="n1">\s*Email/);
    expect(out).toContain('name="identifier"');
    expect(out).toContain('value="ada@example.com"');
    expect(out).toContain('required');
    expect(out).toContain('autocomplete="username webauthn"');
    expect(out).toContain('aria-invalid="true"');
    expect(out).toContain('aria-describedby="n1-msg"');
    expect(out).toMatch(/<ul class="messages compact[^"]*" id="n1-msg">.*Property identifier is missing\./s);
  });

  it('renders a password input with a show/hide toggle', () => {
    const out = html(node('input', 'password', { name: 'password', type: 'password', autocomplete: 'current-password' }, {
      meta: { label: { id: 1070001, text: 'Password', type: 'info' } }
    } as Partial<UiNode>));
    expect(out).toContain('type="password"');
    expect(out).toMatch(/<button type="button" class="reveal" aria-pressed="false" aria-controls="n1" aria-label="Show password">Show<\/button>/);
  });

  it('renders hidden inputs without a label', () => {
    const out = html(node('input', 'default', { name: 'csrf_token', type: 'hidden', value: 'tok' }));
    expect(out).toContain('<input type="hidden" name="csrf_token" value="tok"');
    expect(out).not.toContain('<label');
  });

  it('renders submit nodes as buttons carrying name and value', () => {
    const out = html(node('input', 'password', { name: 'method', type: 'submit', value: 'password' }, {
      meta: { label: { id: 1010022, text: 'x', type: 'info' } }
    } as Partial<UiNode>));
    expect(out).toMatch(/<button type="submit" class="btn btn-primary" name="method" value="password" data-group="password"[^>]*>Sign in with password<\/button>/);
  });

  it('renders WebAuthn triggers as plain buttons (no server script)', () => {
    const out = html(node('input', 'webauthn', { name: 'webauthn_register_trigger', type: 'button', value: '{}', onclickTrigger: 'oryWebAuthnRegistration' }, {
      meta: { label: { id: 1050012, text: 'x', type: 'info' } }
    } as Partial<UiNode>));
    expect(out).toMatch(/<button type="button" class="btn btn-secondary" name="webauthn_register_trigger"[^>]*>Add security key<\/button>/);
    expect(out).not.toContain('onclick=');
  });

  it('renders checkboxes with the label after the box', () => {
    const out = html(node('input', 'profile', { name: 'traits.newsletter', type: 'checkbox', value: true }, {
      meta: { label: { id: 1070002, text: 'Newsletter', type: 'info', context: { title: 'Newsletter' } } }
    } as Partial<UiNode>));
    expect(out).toMatch(/<input id="n1" type="checkbox" name="traits.newsletter" value="true" checked[^>]*>\s*<label for="n1">Newsletter<\/label>/);
  });

  it('renders the TOTP QR image with an alt text and the secret as code', () => {
    const img = html(node('img', 'totp', { id: 'totp_qr', src: 'data:image/png;base64,AAA', width: 256, height: 256 }, {
      meta: { label: { id: 1050005, text: 'x', type: 'info' } }
    } as Partial<UiNode>));
    expect(img).toContain('src="data:image/png;base64,AAA"');
    // The server's id (totp_qr), so pages and tests can find the QR code.
    expect(img).toContain('id="totp_qr"');
    expect(img).toContain('alt="Authenticator app QR code"');
    const secret = html(node('text', 'totp', { id: 'totp_secret_key', text: { id: 1050006, text: 'JBSWY3DP', type: 'info', context: { secret: 'JBSWY3DP' } } }, {
      meta: { label: { id: 1050017, text: 'x', type: 'info' } }
    } as Partial<UiNode>));
    // In groups of four, spaced by CSS only: the text is still the bare secret.
    expect(secret).toContain('<code class="secret secret-groups"><span>JBSW</span><span>Y3DP</span></code>');
    expect(secret).toContain('This is your authenticator app secret');
  });

  it('hints one-time-code (numeric keyboard) for the TOTP code and no autofill for backup codes', () => {
    const totp = html(node('input', 'totp', { name: 'totp_code', type: 'text', required: true }));
    expect(totp).toContain('autocomplete="one-time-code"');
    expect(totp).toContain('inputmode="numeric"');
    const lookup = html(node('input', 'lookup_secret', { name: 'lookup_secret', type: 'text', required: true }));
    expect(lookup).toContain('autocomplete="off"');
    expect(lookup).toContain('autocapitalize="none"');
    expect(lookup).not.toContain('inputmode');
    // The server's own hint wins.
    expect(html(node('input', 'totp', { name: 'totp_code', type: 'text', autocomplete: 'off' }))).toContain('autocomplete="off"');
  });

  it('makes confirming new backup codes the primary button, other MFA buttons secondary', () => {
    const confirm = html(node('input', 'lookup_secret', { name: 'lookup_secret_confirm', type: 'submit', value: 'true' }, {
      meta: { label: { id: 1050011, text: 'x', type: 'info' } }
    } as Partial<UiNode>));
    expect(confirm).toMatch(/<button type="submit" class="btn btn-primary" name="lookup_secret_confirm"/);
    const unlink = html(node('input', 'totp', { name: 'totp_unlink', type: 'submit', value: 'true' }, {
      meta: { label: { id: 1050004, text: 'x', type: 'info' } }
    } as Partial<UiNode>));
    expect(unlink).toMatch(/<button type="submit" class="btn btn-secondary" name="totp_unlink"/);
  });

  it('renders backup codes as a list', () => {
    const out = html(node('text', 'lookup_secret', {
      id: 'lookup_secret_codes',
      text: { id: 1050015, text: 'a, b', type: 'info', context: { secrets: [
        { id: 1050009, text: 'abcd1234', type: 'info', context: { secret: 'abcd1234' } },
        { id: 1050014, text: 'Secret was used at x', type: 'info', context: { used_at: '2026-01-01' } },
        { id: 1050009, text: '********', type: 'info', context: { secret: '********' } }
      ] } }
    }));
    expect(out).toMatch(/<ul class="codes"[^>]*><li><code>abcd1234<\/code><\/li><li class="code-used">Used\s<time datetime="2026-01-01T00:00:00.000Z">[^<]+<\/time><\/li><li class="code-hidden"><span aria-hidden="true">••••••••<\/span><span class="sr-only">Not used yet<\/span><\/li><\/ul>/);
  });

  it('renders anchors as links with their title', () => {
    const out = html(node('a', 'default', { id: 'continue', href: '/settings', title: { id: 1070009, text: 'Continue', type: 'info' } }));
    expect(out).toMatch(/<a class="btn btn-primary" id="continue" href="\/settings">Continue<\/a>/);
  });

  it('renders nothing for script nodes, and divs as empty containers', () => {
    expect(html(node('script', 'webauthn', { src: '/.well-known/ory/webauthn.js', id: 'webauthn_script' }))).not.toContain('<script');
    expect(html(node('div', 'captcha', { id: 'captcha', class: 'cf' }))).toContain('<div id="captcha"');
  });
});
