import { describe, expect, it } from 'vitest';
import type { UiNode } from '@ory/client-fetch';
import {
  answerField,
  ceremonyError,
  creationOptions,
  displayNameField,
  fromBase64Url,
  requestOptions,
  toBase64Url,
  triggerOptions
} from './webauthn';
import type { InputNode } from '$lib/ui/nodes';

const input = (group: string, name: string, type: string, value?: unknown, trigger?: string): InputNode =>
  ({
    type: 'input',
    group,
    attributes: { node_type: 'input', name, type, value, onclickTrigger: trigger, disabled: false },
    messages: [],
    meta: {}
  }) as unknown as InputNode;

const bytes = (b: ArrayBuffer | BufferSource | undefined) => Array.from(new Uint8Array(b as ArrayBuffer));

describe('base64url', () => {
  it('round-trips without padding', () => {
    const raw = new Uint8Array([0, 251, 255, 1, 2]).buffer;
    const s = toBase64Url(raw);
    expect(s).toBe('APv_AQI');
    expect(bytes(fromBase64Url(s))).toEqual([0, 251, 255, 1, 2]);
    expect(toBase64Url(null)).toBe('');
  });
});

describe('triggerOptions', () => {
  it('reads the security key options from the trigger value', () => {
    const trigger = input('webauthn', 'webauthn_register_trigger', 'button', '{"publicKey":{"challenge":"AA"}}', 'oryWebAuthnRegistration');
    expect(triggerOptions(trigger, [trigger])).toEqual({ publicKey: { challenge: 'AA' } });
  });

  it('falls back to passkey_create_data and passkey_challenge', () => {
    const trigger = input('passkey', 'passkey_register_trigger', 'button', '', 'oryPasskeyRegistration');
    const data = input('passkey', 'passkey_create_data', 'hidden', '{"credentialOptions":{"publicKey":{"challenge":"AQ"}},"displayNameFieldName":"traits.email"}');
    const nodes: UiNode[] = [trigger, data];
    const opts = triggerOptions(trigger, nodes)!;
    expect(displayNameField(opts)).toBe('traits.email');
    const login = input('passkey', 'passkey_login_trigger', 'button', '', 'oryPasskeyLogin');
    const challenge = input('passkey', 'passkey_challenge', 'hidden', '{"publicKey":{"challenge":"Ag"}}');
    expect(triggerOptions(login, [login, challenge])).toEqual({ publicKey: { challenge: 'Ag' } });
  });
});

describe('creationOptions', () => {
  const opts = {
    credentialOptions: {
      publicKey: {
        challenge: 'AQID',
        rp: { id: 'localhost', name: 'Nexus' },
        user: { id: 'BAU', name: '', displayName: '' },
        excludeCredentials: [{ type: 'public-key', id: 'Bg' }]
      }
    },
    displayNameFieldName: 'traits.email'
  };

  it('decodes binary fields and names the user from the form on sign-up', () => {
    const o = creationOptions(opts, 'ada@example.com');
    expect(bytes(o.challenge)).toEqual([1, 2, 3]);
    expect(bytes(o.user.id)).toEqual([4, 5]);
    expect(o.user.name).toBe('ada@example.com');
    expect(o.user.displayName).toBe('ada@example.com');
    expect(bytes(o.excludeCredentials![0].id)).toEqual([6]);
    expect(o.rp.id).toBe('localhost');
  });

  it('keeps the server user when no name is given (settings)', () => {
    const o = creationOptions({ publicKey: { ...opts.credentialOptions.publicKey, user: { id: 'BAU', name: 'ada', displayName: 'Ada' } } });
    expect(o.user.name).toBe('ada');
    expect(o.user.displayName).toBe('Ada');
  });
});

describe('requestOptions', () => {
  it('decodes the challenge and the allowed keys; passkeys have none', () => {
    const o = requestOptions({ publicKey: { challenge: 'AQ', allowCredentials: [{ type: 'public-key', id: 'Ag' }] } });
    expect(bytes(o.challenge)).toEqual([1]);
    expect(bytes(o.allowCredentials![0].id)).toEqual([2]);
    expect(requestOptions({ publicKey: { challenge: 'AQ' } }).allowCredentials).toBeUndefined();
  });
});

describe('answerField', () => {
  it('names the hidden field each trigger fills', () => {
    expect(answerField('oryWebAuthnRegistration', 'webauthn')).toEqual({ field: 'webauthn_register', method: 'webauthn' });
    expect(answerField('oryWebAuthnLogin', 'webauthn')).toEqual({ field: 'webauthn_login', method: 'webauthn' });
    expect(answerField('oryPasskeyRegistration', 'passkey')).toEqual({ field: 'passkey_register', method: 'passkey' });
    expect(answerField('oryPasskeySettingsRegistration', 'passkey')).toEqual({ field: 'passkey_settings_register', method: 'passkey' });
    expect(answerField('oryPasskeyLogin', 'passkey')).toEqual({ field: 'passkey_login', method: 'passkey' });
  });
});

describe('ceremonyError', () => {
  it('explains a cancelled request and a key registered twice', () => {
    expect(ceremonyError(new DOMException('x', 'NotAllowedError'))).toMatch(/cancelled or timed out/);
    expect(ceremonyError(new DOMException('x', 'InvalidStateError'))).toMatch(/already registered/);
    expect(ceremonyError(new Error('boom'))).toBe('boom');
    expect(ceremonyError('??')).toBe('The security key did not answer.');
  });
});
