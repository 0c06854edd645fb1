import type { UiNode } from '@ory/client-fetch';
import { describe, expect, it } from 'vitest';
import { backupCodes, pairingOrder, secondFactorLead, secretGroups } from './mfa';

const n = (group: string, node_type: string, attrs: Record<string, unknown> = {}): UiNode =>
  ({ type: node_type, group, attributes: { node_type, ...attrs }, messages: [], meta: {} }) as unknown as UiNode;

describe('secondFactorLead', () => {
  it('names only the factors the flow offers', () => {
    expect(secondFactorLead([n('default', 'input'), n('totp', 'input')])).toBe(
      'Enter the six-digit code from your authenticator app.'
    );
    expect(secondFactorLead([n('totp', 'input'), n('lookup_secret', 'input')])).toBe(
      'Enter the six-digit code from your authenticator app or use one of your backup codes.'
    );
    expect(secondFactorLead([n('lookup_secret', 'input')])).toBe('Enter one of your backup codes.');
    expect(secondFactorLead([n('totp', 'input'), n('webauthn', 'input'), n('lookup_secret', 'input')])).toBe(
      'Enter the six-digit code from your authenticator app, use your security key or use one of your backup codes.'
    );
    expect(secondFactorLead([n('default', 'input')])).toBe('Confirm it’s you with your second factor.');
  });
});

describe('pairingOrder', () => {
  const secret = n('totp', 'text', { id: 'totp_secret_key' });
  const qr = n('totp', 'img', { id: 'totp_qr' });
  const code = n('totp', 'input', { name: 'totp_code' });
  const csrf = n('default', 'input', { name: 'csrf_token' });

  it('puts the QR code before the secret', () => {
    expect(pairingOrder([csrf, secret, qr, code])).toEqual([csrf, qr, secret, code]);
  });

  it('leaves Kratos order and flows without pairing alone', () => {
    const kratos = [csrf, qr, secret, code];
    expect(pairingOrder(kratos)).toBe(kratos);
    const other = [csrf, code];
    expect(pairingOrder(other)).toBe(other);
  });
});

describe('secretGroups', () => {
  it('splits into groups of four', () => {
    expect(secretGroups('JBSWY3DPEHPK3PXPQ')).toEqual(['JBSW', 'Y3DP', 'EHPK', '3PXP', 'Q']);
    expect(secretGroups('JBSW Y3DP')).toEqual(['JBSW', 'Y3DP']);
    expect(secretGroups('')).toEqual([]);
  });
});

describe('backupCodes', () => {
  it('tells codes, used codes (with their time) and masked ones apart', () => {
    expect(
      backupCodes([
        { id: 1050009, text: 'abcd1234', type: 'info', context: { secret: 'abcd1234' } },
        { id: 1050014, text: 'Secret was used at …', type: 'info', context: { used_at: '2026-11-28T18:20:00Z' } },
        { id: 1050014, text: 'Secret was used', type: 'info', context: { used_at: 'not a date' } },
        { id: 1050009, text: '********', type: 'info', context: { secret: '********' } }
      ])
    ).toEqual([
      { kind: 'code', code: 'abcd1234' },
      { kind: 'used', usedAt: new Date('2026-11-28T18:20:00Z') },
      { kind: 'used', usedAt: undefined },
      { kind: 'hidden' }
    ]);
  });
});
