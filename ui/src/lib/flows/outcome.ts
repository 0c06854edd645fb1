// What the UI does with a failed call to a flow endpoint, by HTTP status and Ory error id.
// Pure: the caller performs the action, tests check the decision.
import type { UiText } from '@ory/client-fetch';
import type { ApiError, Failure } from '$lib/api/result';

export type FlowKind = 'login' | 'registration' | 'recovery' | 'verification' | 'settings';

export type Action =
  /** The body is the flow again, with validation messages: show it. */
  | { type: 'render'; flow: Record<string, unknown> }
  /** Leave this page (a UI path such as `/login?refresh=true&…`, or an absolute URL). */
  | { type: 'redirect'; to: string }
  /** Start over: load `useFlowId` when the server made a replacement, else create a new flow. */
  | { type: 'restart'; useFlowId?: string; notice: UiText }
  /** Nothing to retry: show the error. */
  | { type: 'fatal'; status: number; error: ApiError };

/** Message ids of the "flow expired" texts, per flow kind. */
export const EXPIRED_ID: Record<FlowKind, number> = {
  login: 4010001,
  registration: 4040001,
  settings: 4050001,
  recovery: 4060005,
  verification: 4070005
};

function isFlow(body: Record<string, unknown> | null): body is Record<string, unknown> {
  return !!body && typeof body.id === 'string' && typeof body.ui === 'object' && body.ui !== null;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `/login?…` with the page to come back to after signing in. */
export function loginPath(params: Record<string, string>, returnTo: string | undefined): string {
  const q = new URLSearchParams(params);
  if (returnTo) q.set('return_to', returnTo);
  const s = q.toString();
  return s ? `/login?${s}` : '/login';
}

export interface Context {
  kind: FlowKind;
  /** The absolute URL of the page the person is on, to come back to after signing in again. */
  here: string;
  /** Where a finished flow goes (the flow's `return_to`, else the welcome page). */
  returnTo?: string;
  /** The failed call created the flow: starting over would only repeat it. */
  creating?: boolean;
}

/** Decides what to do with a failed flow call. */
export function decide(f: Failure, ctx: Context): Action {
  const action = decideOnce(f, ctx);
  if (action.type === 'restart' && ctx.creating) {
    return { type: 'fatal', status: f.status, error: { ...f.error, message: f.error?.message ?? action.notice.text } };
  }
  return action;
}

function decideOnce(f: Failure, ctx: Context): Action {
  if (f.status === 400 && isFlow(f.body)) return { type: 'render', flow: f.body };

  const body = f.body ?? {};
  const err = f.error ?? {};
  const details = (err.details ?? {}) as Record<string, unknown>;
  const redirectTo = str(body.redirect_browser_to) ?? str(details.redirect_browser_to);
  const useFlowId = str(body.use_flow_id) ?? str(details.use_flow_id);
  const expiredNotice: UiText = {
    id: EXPIRED_ID[ctx.kind],
    type: 'error',
    text: `The ${ctx.kind} flow expired, please try again.`,
    context: { expired_at: body.expired_at ?? details.expired_at }
  };

  switch (err.id) {
    case 'self_service_flow_expired':
      return { type: 'restart', useFlowId, notice: expiredNotice };
    case 'self_service_flow_replaced':
      return {
        type: 'restart',
        useFlowId,
        notice: { id: 0, type: 'info', text: err.reason ?? 'This form was replaced by a new one.' }
      };
    case 'security_csrf_violation':
      return {
        type: 'restart',
        notice: {
          id: 0,
          type: 'error',
          text: 'This form was opened in another tab or its security token expired, so we loaded a fresh one. Please try again.'
        }
      };
    case 'session_refresh_required':
      return { type: 'redirect', to: loginPath({ refresh: 'true' }, ctx.here) };
    case 'session_aal2_required':
      return { type: 'redirect', to: loginPath({ aal: 'aal2' }, ctx.here) };
    case 'session_aal1_required':
    case 'session_inactive':
    case 'no_active_session':
      return { type: 'redirect', to: loginPath({}, ctx.here) };
    case 'session_already_available':
      return { type: 'redirect', to: ctx.returnTo ?? '/' };
    case 'browser_location_change_required':
    case 'session_verified_address_required':
      if (redirectTo) return { type: 'redirect', to: redirectTo };
      if (err.id === 'session_verified_address_required') return { type: 'redirect', to: '/verification' };
      break;
  }

  if (f.status === 422 && redirectTo) return { type: 'redirect', to: redirectTo };
  if (f.status === 410) return { type: 'restart', useFlowId, notice: expiredNotice };
  if (f.status === 401 && ctx.kind === 'settings') return { type: 'redirect', to: loginPath({}, ctx.here) };
  // An unknown or foreign flow id: start a new flow instead of showing a dead end.
  if ((f.status === 404 || f.status === 400) && !err.id && ctx.kind !== 'settings') {
    return {
      type: 'restart',
      notice: { id: 0, type: 'info', text: 'That link is no longer valid, so we started over.' }
    };
  }
  return {
    type: 'fatal',
    status: f.status,
    error: { ...err, message: err.message ?? 'Something went wrong.' }
  };
}
