import { describe, expect, it } from 'vitest';
import type { UiNode } from '@ory/client-fetch';
import { ceremonyIsPrimary, registeredKey } from './keys';

const node = (group: string, name: string, type: string, label?: object, value?: string): UiNode =>
  ({
    type: 'input',
    group,
    attributes: { node_type: 'input', name, type, value, disabled: false },
    messages: [],
    meta: label ? { label } : {}
  }) as unknown as UiNode;

describe('registeredKey', () => {
  it('reads the name and date of a security key from its removal button', () => {
    const n = node('webauthn', 'webauthn_remove', 'submit', {
      id: 1050018,
      type: 'info',
      text: 'Remove security key "Blue key"',
      context: { display_name: 'Blue key', added_at: '2026-12-04T04:30:00Z', added_at_unix: 1796185800 }
    }, 'ab12');
    const key = registeredKey(n)!;
    expect(key.name).toBe('Blue key');
    expect(key.kind).toBe('security key');
    expect(key.addedAt?.toISOString()).toBe('2026-12-04T04:30:00.000Z');
    expect(key.label).toBe('Remove security key "Blue key"');
  });

  it('names a passkey without a name and ignores other buttons', () => {
    const n = node('passkey', 'passkey_remove', 'submit', { id: 1050020, type: 'info', text: 'Remove passkey ""', context: { display_name: '' } });
    expect(registeredKey(n)).toMatchObject({ name: 'Unnamed passkey', kind: 'passkey', addedAt: undefined });
    expect(registeredKey(node('totp', 'totp_unlink', 'submit'))).toBeUndefined();
    expect(registeredKey(node('webauthn', 'webauthn_register', 'hidden'))).toBeUndefined();
  });
});

describe('ceremonyIsPrimary', () => {
  it('is the main action only when no method button competes', () => {
    const trigger = node('webauthn', 'webauthn_login_trigger', 'button');
    expect(ceremonyIsPrimary([trigger])).toBe(true);
    expect(ceremonyIsPrimary([trigger, node('password', 'method', 'submit', undefined, 'password')])).toBe(false);
  });
});
