import type { UiNode } from '@ory/client-fetch';
import { describe, expect, it } from 'vitest';
import { buildBody, labelOf, methodOf, onlyGroups, sections, setPath } from './nodes';

const input = (group: string, name: string, type: string, extra: Record<string, unknown> = {}): UiNode =>
  ({
    type: 'input',
    group,
    attributes: { node_type: 'input', name, type, disabled: false, ...extra },
    messages: [],
    meta: {}
  }) as unknown as UiNode;

const csrf = input('default', 'csrf_token', 'hidden', { value: 'tok', required: true });
const identifier = input('default', 'identifier', 'text', { value: '', required: true });
const password = input('password', 'password', 'password', { required: true });
const passwordSubmit = input('password', 'method', 'submit', { value: 'password' });
const code = input('code', 'code', 'text');
const codeSubmit = input('code', 'method', 'submit', { value: 'code' });
const google = input('oidc', 'provider', 'submit', { value: 'google' });

describe('sections', () => {
  it('puts hidden inputs apart, social groups first, default fields into the first method group', () => {
    const { hidden, sections: s } = sections([csrf, identifier, password, passwordSubmit, code, codeSubmit, google]);
    expect(hidden).toEqual([csrf]);
    expect(s.map((x) => x.group)).toEqual(['oidc', 'password', 'code']);
    expect(s[1].nodes).toEqual([identifier, password, passwordSubmit]);
  });

  it('skips script nodes', () => {
    const script = { type: 'script', group: 'webauthn', attributes: { node_type: 'script', src: '/x.js' }, messages: [], meta: {} } as unknown as UiNode;
    expect(sections([csrf, script]).sections).toEqual([]);
  });

  it('onlyGroups keeps the default group', () => {
    expect(onlyGroups([csrf, password, code], ['code'])).toEqual([csrf, code]);
  });
});

describe('labelOf', () => {
  it('prefers the meta label, then the attribute label, then the name', () => {
    const labelled = { ...password, meta: { label: { id: 1070001, text: 'Pass', type: 'info' } } } as UiNode;
    expect(labelOf(labelled)).toBe('Password');
    const attrLabel = input('totp', 'totp_code', 'text', { label: { id: 0, text: 'Code from app', type: 'info' } });
    expect(labelOf(attrLabel)).toBe('Code from app');
    expect(labelOf(code)).toBe('code');
  });
});

describe('buildBody', () => {
  const form = (entries: [string, string][]) => {
    const m = new Map<string, FormDataEntryValue[]>();
    for (const [k, v] of entries) m.set(k, [...(m.get(k) ?? []), v]);
    return m;
  };

  it('sends the pressed method with its own and the default group fields only', () => {
    const nodes = [csrf, identifier, password, passwordSubmit, code, codeSubmit];
    const values = form([
      ['csrf_token', 'tok'],
      ['identifier', 'ada@example.com'],
      ['password', 'secret'],
      ['code', '123456']
    ]);
    expect(buildBody(nodes, values, { name: 'method', value: 'password', group: 'password' })).toEqual({
      method: 'password',
      csrf_token: 'tok',
      identifier: 'ada@example.com',
      password: 'secret'
    });
    expect(buildBody(nodes, values, { name: 'method', value: 'code', group: 'code' })).toEqual({
      method: 'code',
      csrf_token: 'tok',
      identifier: 'ada@example.com',
      code: '123456'
    });
  });

  it('nests dotted trait names and leaves out empty optional traits', () => {
    const nodes = [
      csrf,
      input('profile', 'traits.email', 'email', { required: true }),
      input('profile', 'traits.name.first', 'text'),
      input('profile', 'traits.name.last', 'text'),
      input('profile', 'method', 'submit', { value: 'profile' })
    ];
    const values = form([
      ['traits.email', 'ada@example.com'],
      ['traits.name.first', 'Ada'],
      ['traits.name.last', '']
    ]);
    expect(buildBody(nodes, values, { name: 'method', value: 'profile', group: 'profile' })).toEqual({
      method: 'profile',
      csrf_token: 'tok',
      traits: { email: 'ada@example.com', name: { first: 'Ada' } }
    });
  });

  it('uses the group as method for other buttons and sends the button itself', () => {
    const reveal = input('lookup_secret', 'lookup_secret_reveal', 'submit', { value: true });
    const body = buildBody([csrf, reveal], form([['csrf_token', 'tok']]), {
      name: 'lookup_secret_reveal',
      value: true,
      group: 'lookup_secret'
    });
    expect(body).toEqual({ method: 'lookup_secret', csrf_token: 'tok', lookup_secret_reveal: true });
    expect(methodOf({ name: 'screen', value: 'previous', group: 'profile' })).toBe('profile');
  });

  it('types checkboxes, numbers and untouched hidden values from the node', () => {
    const nodes = [
      input('profile', 'traits.newsletter', 'checkbox'),
      input('profile', 'traits.age', 'number'),
      input('profile', 'traits.tags', 'hidden', { value: ['a', 'b'] })
    ];
    const body = buildBody(nodes, form([['traits.newsletter', 'true'], ['traits.age', '42'], ['traits.tags', 'a,b']]), {
      name: 'method',
      value: 'profile',
      group: 'profile'
    });
    expect(body.traits).toEqual({ newsletter: true, age: 42, tags: ['a', 'b'] });
  });

  it('takes a hidden field our code changed (WebAuthn) from the form', () => {
    const nodes = [csrf, input('webauthn', 'webauthn_login', 'hidden', { value: '' })];
    const body = buildBody(nodes, form([['csrf_token', 'tok'], ['webauthn_login', '{"id":"x"}']]), {
      name: 'method',
      value: 'webauthn',
      group: 'webauthn'
    });
    expect(body.webauthn_login).toBe('{"id":"x"}');
  });

  it('setPath replaces scalars on the way', () => {
    const o: Record<string, unknown> = { a: 1 };
    setPath(o, 'a.b', 2);
    expect(o).toEqual({ a: { b: 2 } });
  });
});
