// Second factors in the UI: the lead of the aal2 sign-in page and the order of the TOTP
// pairing nodes. Pure, tested in mfa.test.ts.
import type { UiNode, UiText } from '@ory/client-fetch';
import { messageText } from './messages';

/** What the second-factor (aal2) sign-in page asks for, from the groups its flow offers. */
export function secondFactorLead(nodes: UiNode[]): string {
  const groups = new Set(nodes.map((n) => n.group));
  const ways: string[] = [];
  if (groups.has('totp')) ways.push('enter the six-digit code from your authenticator app');
  if (groups.has('webauthn')) ways.push('use your security key');
  if (groups.has('code')) ways.push('use a code we email you');
  if (groups.has('lookup_secret')) ways.push(ways.length ? 'use one of your backup codes' : 'enter one of your backup codes');
  if (!ways.length) return 'Confirm it’s you with your second factor.';
  const text = ways.length === 1 ? ways[0] : `${ways.slice(0, -1).join(', ')} or ${ways[ways.length - 1]}`;
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

const attrId = (n: UiNode) => (n.attributes as { id?: string }).id;

/**
 * TOTP pairing shows the QR code first and the secret (for typing in by hand) after it, as
 * Kratos orders them; a server that sends the secret first gets the same page.
 */
export function pairingOrder(nodes: UiNode[]): UiNode[] {
  const qr = nodes.findIndex((n) => n.attributes.node_type === 'img' && attrId(n) === 'totp_qr');
  const secret = nodes.findIndex((n) => n.attributes.node_type === 'text' && attrId(n) === 'totp_secret_key');
  if (qr < 0 || secret < 0 || qr < secret) return nodes;
  const out = nodes.filter((_, i) => i !== qr);
  out.splice(secret, 0, nodes[qr]);
  return out;
}

/** The TOTP secret in groups of four, for reading and typing (apps ignore the spaces). */
export function secretGroups(secret: string): string[] {
  return secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? [];
}

/** One entry of a backup-code list (`lookup_secret_codes`). */
export type BackupCode =
  | { kind: 'code'; code: string }
  /** Used (1050014), with when if the server said. */
  | { kind: 'used'; usedAt?: Date }
  /** Unused but not shown: the server keeps only a hash (Nexus) and masks it. */
  | { kind: 'hidden' };

/** The entries of a backup-code list from the text node's `context.secrets`. */
export function backupCodes(secrets: UiText[]): BackupCode[] {
  return secrets.map((s) => {
    if (s.id === 1050014) {
      const at = (s.context as { used_at?: unknown } | undefined)?.used_at;
      const date = typeof at === 'string' ? new Date(at) : undefined;
      return { kind: 'used', usedAt: date && !Number.isNaN(date.getTime()) ? date : undefined };
    }
    const code = messageText(s);
    return /^\*+$/.test(code) ? { kind: 'hidden' } : { kind: 'code', code };
  });
}
