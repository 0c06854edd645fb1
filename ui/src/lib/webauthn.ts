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

/** The form field whose value names a new passkey (`passkey_create_data.displayNameFieldName`). */
export function displayNameField(opts: Json): string | undefined {
  const name = opts.displayNameFieldName;
  return typeof name === 'string' && name ? name : undefined;
}

/**
 * `navigator.credentials.create` options from the server's JSON: binary fields decoded, and
 * for sign-up the user's name taken from the form (the server has no identity yet), as
 * Kratos' own script does.
 */
export function creationOptions(opts: Json, displayName?: string): PublicKeyCredentialCreationOptions {
  const pk = publicKeyOf(opts);
  const user = { ...(pk.user as Json) };
  if (displayName) {
    user.name = displayName;
    user.displayName = displayName;
  }
  return {
    ...pk,
    challenge: fromBase64Url(String(pk.challenge)),
    user: { ...user, id: fromBase64Url(String(user.id)) },
    excludeCredentials: decodeIds(pk.excludeCredentials)
  } as unknown as PublicKeyCredentialCreationOptions;
}

/** `navigator.credentials.get` options from the server's JSON (no list for discoverable passkeys). */
export function requestOptions(opts: Json): PublicKeyCredentialRequestOptions {
  const pk = publicKeyOf(opts);
  return {
    ...pk,
    challenge: fromBase64Url(String(pk.challenge)),
    allowCredentials: decodeIds(pk.allowCredentials)
  } as unknown as PublicKeyCredentialRequestOptions;
}

/** The hidden field a trigger's answer goes to, and the method it submits. */
export function answerField(kind: string, group: string): { field: string; method: string } {
  const method = group === 'passkey' ? 'passkey' : 'webauthn';
  const field =
    kind === 'oryPasskeySettingsRegistration'
      ? 'passkey_settings_register'
      : kind === 'oryPasskeyRegistration'
        ? 'passkey_register'
        : kind === 'oryWebAuthnRegistration'
          ? 'webauthn_register'
          : method === 'passkey'
            ? 'passkey_login'
            : 'webauthn_login';
  return { field, method };
}

/** The answer to a registration, as the server reads it (binary fields base64url). */
export function attestationJson(cred: PublicKeyCredential): string {
  const res = cred.response as AuthenticatorAttestationResponse;
  return JSON.stringify({
    id: cred.id,
    rawId: toBase64Url(cred.rawId),
    type: cred.type,
    response: {
      attestationObject: toBase64Url(res.attestationObject),
      clientDataJSON: toBase64Url(res.clientDataJSON)
    }
  });
}

/** The answer to a sign-in challenge, as the server reads it. */
export function assertionJson(cred: PublicKeyCredential): string {
  const res = cred.response as AuthenticatorAssertionResponse;
  return JSON.stringify({
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
}

/**
 * Runs the ceremony a trigger asks for; returns the field to fill and its JSON value.
 * `fieldValue` reads a field of the form (the new passkey's name on sign-up).
 */
export async function runTrigger(
  trigger: InputNode,
  nodes: UiNode[],
  fieldValue: (name: string) => string = () => ''
): Promise<{ field: string; value: string; method: string }> {
  const kind = trigger.attributes.onclickTrigger ?? '';
  const opts = triggerOptions(trigger, nodes);
  if (!opts) throw new Error('The server sent no security key options.');
  if (!('credentials' in navigator) || typeof PublicKeyCredential === 'undefined') {
    throw new Error('This browser does not support security keys or passkeys.');
  }
  const { field, method } = answerField(kind, trigger.group);
  if (/Registration$/.test(kind)) {
    const nameField = displayNameField(opts);
    const publicKey = creationOptions(opts, nameField ? fieldValue(nameField) : undefined);
    const cred = (await navigator.credentials.create({ publicKey })) as PublicKeyCredential | null;
    if (!cred) throw new Error('No security key was registered.');
    return { field, value: attestationJson(cred), method };
  }
  const cred = (await navigator.credentials.get({ publicKey: requestOptions(opts) })) as PublicKeyCredential | null;
  if (!cred) throw new Error('No security key answered.');
  return { field, value: assertionJson(cred), method };
}

/** What to tell the person when the browser refuses or the person cancels. */
export function ceremonyError(err: unknown): string {
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
      return 'The security key or passkey request was cancelled or timed out. Please try again.';
    case 'InvalidStateError':
      return 'This security key or passkey is already registered.';
    case 'SecurityError':
      return 'This address cannot use security keys or passkeys. Open the page on its own domain (or localhost).';
    case 'NotSupportedError':
      return 'This browser does not support this kind of security key or passkey.';
    default:
      return err instanceof Error && err.message ? err.message : 'The security key did not answer.';
  }
}
