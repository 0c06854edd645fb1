// RFC 6238 TOTP (SHA-1, 30 s steps, 6 digits — what the identity server hands out) for the
// browser test, with node's crypto only.
import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 base32 (case and spaces ignored, padding optional). */
export function base32Decode(text) {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(ch)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The time step of `ms` (Unix milliseconds). */
export const stepAt = (ms, period = 30) => Math.floor(ms / 1000 / period);

/** The HOTP value (RFC 4226) of `key` (bytes) for counter `step`. */
export function hotp(key, step, digits = 6) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** The TOTP code of a base32 `secret` for time step `step`. */
export const totp = (secret, step, digits = 6) => hotp(base32Decode(secret), step, digits);
