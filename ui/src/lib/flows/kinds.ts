// One table of the SDK calls behind each flow kind, so every page shares one loader.
import {
  LoginFlowFromJSON,
  RecoveryFlowFromJSON,
  RegistrationFlowFromJSON,
  SettingsFlowFromJSON,
  VerificationFlowFromJSON,
  type LoginFlow,
  type RecoveryFlow,
  type RegistrationFlow,
  type SettingsFlow,
  type VerificationFlow
} from '@ory/client-fetch';
import { frontendApi } from '$lib/api/client';
import { call, type Result } from '$lib/api/result';
import type { FlowKind } from './outcome';

export type Flow = LoginFlow | RegistrationFlow | RecoveryFlow | VerificationFlow | SettingsFlow;

/** Query parameters a flow's init endpoint understands (others are not passed on). */
const INIT_PARAMS: Record<FlowKind, string[]> = {
  login: ['refresh', 'aal', 'return_to', 'login_challenge', 'identity_schema', 'organization', 'via'],
  registration: ['return_to', 'login_challenge', 'after_verification_return_to', 'identity_schema', 'organization'],
  recovery: ['return_to'],
  verification: ['return_to'],
  settings: ['return_to']
};

/** Picks the init parameters of a flow kind out of the page's query string. */
export function initParams(kind: FlowKind, search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of INIT_PARAMS[kind]) {
    const v = search.get(key);
    if (v) out[key] = v;
  }
  return out;
}

const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

function sdkParams(params: Record<string, string>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(params)) out[camel(k)] = k === 'refresh' ? v === 'true' : v;
  return out;
}

/** Parses a flow that came back in an error body (400 with validation messages). */
export function parseFlow(kind: FlowKind, json: Record<string, unknown>): Flow {
  switch (kind) {
    case 'login':
      return LoginFlowFromJSON(json);
    case 'registration':
      return RegistrationFlowFromJSON(json);
    case 'recovery':
      return RecoveryFlowFromJSON(json);
    case 'verification':
      return VerificationFlowFromJSON(json);
    case 'settings':
      return SettingsFlowFromJSON(json);
  }
}

/** Creates a browser flow of the given kind. */
export function createFlow(kind: FlowKind, params: Record<string, string>): Promise<Result<Flow>> {
  const api = frontendApi();
  const p = sdkParams(params);
  switch (kind) {
    case 'login':
      return call(() => api.createBrowserLoginFlowRaw(p));
    case 'registration':
      return call(() => api.createBrowserRegistrationFlowRaw(p));
    case 'recovery':
      return call(() => api.createBrowserRecoveryFlowRaw(p));
    case 'verification':
      return call(() => api.createBrowserVerificationFlowRaw(p));
    case 'settings':
      return call(() => api.createBrowserSettingsFlowRaw(p));
  }
}

/** Fetches an existing flow by id. */
export function getFlow(kind: FlowKind, id: string): Promise<Result<Flow>> {
  const api = frontendApi();
  switch (kind) {
    case 'login':
      return call(() => api.getLoginFlowRaw({ id }));
    case 'registration':
      return call(() => api.getRegistrationFlowRaw({ id }));
    case 'recovery':
      return call(() => api.getRecoveryFlowRaw({ id }));
    case 'verification':
      return call(() => api.getVerificationFlowRaw({ id }));
    case 'settings':
      return call(() => api.getSettingsFlowRaw({ id }));
  }
}

/**
 * Submits a flow. The body's `method` selects the SDK's body type; what comes back on success
 * differs per kind (a session for login, the flow again for settings, recovery, verification).
 */
export function updateFlow(kind: FlowKind, id: string, body: Record<string, unknown>): Promise<Result<unknown>> {
  const api = frontendApi();
  // The SDK's body unions are keyed by `method`; the body was built from the flow's own nodes.
  const b = body as never;
  switch (kind) {
    case 'login':
      return call(() => api.updateLoginFlowRaw({ flow: id, updateLoginFlowBody: b }));
    case 'registration':
      return call(() => api.updateRegistrationFlowRaw({ flow: id, updateRegistrationFlowBody: b }));
    case 'recovery':
      return call(() => api.updateRecoveryFlowRaw({ flow: id, updateRecoveryFlowBody: b }));
    case 'verification':
      return call(() => api.updateVerificationFlowRaw({ flow: id, updateVerificationFlowBody: b }));
    case 'settings':
      return call(() => api.updateSettingsFlowRaw({ flow: id, updateSettingsFlowBody: b }));
  }
}
