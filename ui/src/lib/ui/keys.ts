// Security keys and passkeys in the UI: the "Remove …" buttons of settings read as a list of
// the person's keys, and a ceremony button is the primary action when nothing else is.
// Pure, tested in keys.test.ts.
import type { UiNode } from '@ory/client-fetch';
import { isInput, labelOf } from './nodes';

/** A registered key as its removal button describes it (1050018 / 1050020 context). */
export interface RegisteredKey {
  name: string;
  kind: 'security key' | 'passkey';
  addedAt?: Date;
  /** The server's full label ("Remove security key "Blue key""), for screen readers. */
  label: string;
}

const REMOVE: Record<string, RegisteredKey['kind']> = { webauthn_remove: 'security key', passkey_remove: 'passkey' };

/** The key a `webauthn_remove` / `passkey_remove` button removes; undefined for other nodes. */
export function registeredKey(n: UiNode): RegisteredKey | undefined {
  if (!isInput(n) || n.attributes.type !== 'submit') return undefined;
  const kind = REMOVE[n.attributes.name];
  if (!kind) return undefined;
  const ctx = (n.meta?.label?.context ?? {}) as { display_name?: unknown; added_at?: unknown };
  const name = typeof ctx.display_name === 'string' && ctx.display_name.trim() ? ctx.display_name : `Unnamed ${kind}`;
  const date = typeof ctx.added_at === 'string' ? new Date(ctx.added_at) : undefined;
  return { name, kind, addedAt: date && !Number.isNaN(date.getTime()) ? date : undefined, label: labelOf(n) };
}

/**
 * Whether a form's WebAuthn/passkey buttons are its main action: yes when no `method` submit
 * button competes (settings' key cards, an aal2 page with only a security key); on sign-in and
 * sign-up pages the password button stays primary.
 */
export function ceremonyIsPrimary(nodes: UiNode[]): boolean {
  return !nodes.some((n) => isInput(n) && n.attributes.type === 'submit' && n.attributes.name === 'method');
}
