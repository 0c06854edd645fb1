import { describe, expect, it } from 'vitest';
import { base32Decode, hotp, stepAt, totp } from './totp.mjs';

describe('totp (e2e helper)', () => {
  // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (8 digits there; 6 here are its tail).
  const seed = Buffer.from('12345678901234567890');
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130']
  ])('matches the RFC 6238 vector at %i s', (t, code) => {
    expect(hotp(seed, stepAt(t * 1000), 8)).toBe(code);
    expect(hotp(seed, stepAt(t * 1000))).toBe(code.slice(2));
  });

  it('decodes base32 as RFC 4648 and accepts lower case and padding', () => {
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
    expect(base32Decode('mzxw6ytboi').toString()).toBe('foobar');
    expect(() => base32Decode('MZ1W')).toThrow(/base32/);
  });

  it('reads the base32 secret the server shows', () => {
    // GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ is base32 of the RFC seed.
    expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', stepAt(59_000))).toBe('287082');
  });
});
