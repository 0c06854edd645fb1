// WebAuthn and passkey ceremonies for the `onclickTrigger` buttons of UI nodes. The identity
// server also offers a script for this, but running server-provided script would need a looser
// CSP; instead we read the options from the node and fill the hidden result field ourselves.
import type { UiNode } from '@ory/client-fetch';
import { isInput, type InputNode } from '$lib/ui/nodes';

/** base64url (no padding) ↔ bytes, as the identity server encodes WebAuthn binary fields. */
export function fromBase64Url(s: string): ArrayBuffer {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function toBase64Url(buf: ArrayBuffer | null | undefined): string {
  if (!buf) return '';
  let bin = '';
  for (const b of new Uint8Array(buf)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

type Json = Record<string, unknown>;

/** Reads the options JSON from the trigger's value, a passkey data field, or the legacy onclick. */
export function triggerOptions(trigger: InputNode, nodes: UiNode[]): Json | undefined {
  const candidates: unknown[] = [trigger.attributes.value];
  for (const n of nodes) {
    if (isInput(n) && ['passkey_create_data', 'passkey_challenge'].includes(n.attributes.name)) {
      candidates.push(n.attributes.value);
    }
  }
  const onclick = (trigger.attributes as { onclick?: string }).onclick;
  if (onclick) {
    const start = onclick.indexOf('(');
    const end = onclick.lastIndexOf(')');
    if (start >= 0 && end > start) candidates.push(onclick.slice(start + 1, end));
  }
  for (const c of candidates) {
    if (typeof c === 'object' && c !== null) return c as Json;
    if (typeof c === 'string' && c.trim().startsWith('{')) {
      try {
        return JSON.parse(c) as Json;
      } catch {
        /* try the next one */
      }
    }
  }
  return undefined;
}

function publicKeyOf(opts: Json): Json {
  const cred = opts.credentialOptions as Json | undefined;
  return ((opts.publicKey as Json) ?? (cred?.publicKey as Json) ?? opts) as Json;
}

const decodeIds = (list: unknown) =>
  Array.isArray(list) ? list.map((c: Json) => ({ ...c, id: fromBase64Url(String(c.id)) })) : undefined;

/** Runs the ceremony a trigger asks for; returns the field to fill and its JSON value. */
export async function runTrigger(
  trigger: InputNode,
  nodes: UiNode[]
): Promise<{ field: string; value: string; method: string }> {
  const kind = trigger.attributes.onclickTrigger ?? '';
  const opts = triggerOptions(trigger, nodes);
  if (!opts) throw new Error('The server sent no security key options.');
  if (!('credentials' in navigator) || typeof PublicKeyCredential === 'undefined') {
    throw new Error('This browser does not support security keys or passkeys.');
  }
  const pk = publicKeyOf(opts);
  const register = /Registration$/.test(kind);
  const method = trigger.group === 'passkey' ? 'passkey' : 'webauthn';
  if (register) {
    const user = pk.user as Json;
    const publicKey = {
      ...pk,
      challenge: fromBase64Url(String(pk.challenge)),
      user: { ...user, id: fromBase64Url(String(user.id)) },
      excludeCredentials: decodeIds(pk.excludeCredentials)
    } as unknown as PublicKeyCredentialCreationOptions;
    const cred = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
    if (!cred) throw new Error('No security key was registered.');
    const res = cred.response as AuthenticatorAttestationResponse;
    const value = JSON.stringify({
      id: cred.id,
      rawId: toBase64Url(cred.rawId),
      type: cred.type,
      response: {
        attestationObject: toBase64Url(res.attestationObject),
        clientDataJSON: toBase64Url(res.clientDataJSON)
      }
    });
    const field =
      kind === 'oryPasskeySettingsRegistration'
        ? 'passkey_settings_register'
        : method === 'passkey'
          ? 'passkey_register'
          : 'webauthn_register';
    return { field, value, method };
  }
  const publicKey = {
    ...pk,
    challenge: fromBase64Url(String(pk.challenge)),
    allowCredentials: decodeIds(pk.allowCredentials)
  } as unknown as PublicKeyCredentialRequestOptions;
  const cred = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
  if (!cred) throw new Error('No security key answered.');
  const res = cred.response as AuthenticatorAssertionResponse;
  const value = JSON.stringify({
    id: cred.id,
    rawId: toBase64Url(cred.rawId),
    type: cred.type,
    response: {
      authenticatorData: toBase64Url(res.authenticatorData),
      clientDataJSON: toBase64Url(res.clientDataJSON),
      signature: toBase64Url(res.signature),
      userHandle: toBase64Url(res.userHandle)
    }
  });
  return { field: method === 'passkey' ? 'passkey_login' : 'webauthn_login', value, method };
}
