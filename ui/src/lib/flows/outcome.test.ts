import { describe, expect, it } from 'vitest';
import type { Failure } from '$lib/api/result';
import { decide, loginPath } from './outcome';

const here = 'http://127.0.0.1:4455/settings?flow=f1';
const fail = (status: number, body: Record<string, unknown> | null): Failure => ({
  ok: false,
  status,
  body,
  error: body && typeof body.error === 'object' ? (body.error as Failure['error']) : null,
  headers: null
});

describe('decide', () => {
  it('renders a 400 that carries the flow (validation errors)', () => {
    const flow = { id: 'f1', ui: { nodes: [], messages: [{ id: 4000006 }] } };
    expect(decide(fail(400, flow), { kind: 'login', here })).toEqual({ type: 'render', flow });
  });

  it('410 self_service_flow_expired starts a fresh flow, using the replacement when named', () => {
    const a = decide(fail(410, { error: { id: 'self_service_flow_expired', code: 410 }, use_flow_id: 'new1' }), {
      kind: 'login',
      here
    });
    expect(a).toMatchObject({ type: 'restart', useFlowId: 'new1', notice: { id: 4010001, type: 'error' } });
    const b = decide(fail(410, { error: { id: 'self_service_flow_expired', code: 410 } }), { kind: 'recovery', here });
    expect(b).toMatchObject({ type: 'restart', useFlowId: undefined, notice: { id: 4060005 } });
    // A bare 410 is treated the same way.
    expect(decide(fail(410, null), { kind: 'registration', here })).toMatchObject({
      type: 'restart',
      notice: { id: 4040001 }
    });
  });

  it('403 session_refresh_required sends the person to sign in again, then back', () => {
    const a = decide(fail(403, { error: { id: 'session_refresh_required', code: 403 } }), { kind: 'settings', here });
    expect(a).toEqual({ type: 'redirect', to: `/login?refresh=true&return_to=${encodeURIComponent(here)}` });
  });

  it('403 session_aal2_required asks for the second factor', () => {
    const a = decide(
      fail(403, {
        error: { id: 'session_aal2_required', code: 403 },
        redirect_browser_to: 'http://127.0.0.1:4433/self-service/login/browser?aal=aal2'
      }),
      { kind: 'settings', here }
    );
    expect(a).toEqual({ type: 'redirect', to: `/login?aal=aal2&return_to=${encodeURIComponent(here)}` });
  });

  it('422 browser_location_change_required follows redirect_browser_to', () => {
    const to = 'http://127.0.0.1:4455/settings?flow=abc';
    expect(
      decide(fail(422, { error: { id: 'browser_location_change_required', code: 422 }, redirect_browser_to: to }), {
        kind: 'recovery',
        here
      })
    ).toEqual({ type: 'redirect', to });
    // Even without the id, a 422 with a target is a redirect.
    expect(decide(fail(422, { redirect_browser_to: to }), { kind: 'login', here })).toEqual({ type: 'redirect', to });
  });

  it('a CSRF violation loads a fresh flow with an explanation', () => {
    const a = decide(fail(403, { error: { id: 'security_csrf_violation', code: 403 } }), { kind: 'login', here });
    expect(a).toMatchObject({ type: 'restart', notice: { type: 'error' } });
  });

  it('no session: settings goes to login; an existing session skips login', () => {
    expect(decide(fail(401, { error: { id: 'session_inactive', code: 401 } }), { kind: 'settings', here })).toEqual({
      type: 'redirect',
      to: `/login?return_to=${encodeURIComponent(here)}`
    });
    expect(
      decide(fail(400, { error: { id: 'session_already_available', code: 400 } }), {
        kind: 'login',
        here,
        returnTo: 'http://127.0.0.1:4455/app'
      })
    ).toEqual({ type: 'redirect', to: 'http://127.0.0.1:4455/app' });
  });

  it('an unknown flow id starts over, but a failing create does not loop', () => {
    const notFound = fail(404, { error: { code: 404, message: 'The requested resource could not be found' } });
    expect(decide(notFound, { kind: 'login', here })).toMatchObject({ type: 'restart' });
    expect(decide(notFound, { kind: 'login', here, creating: true })).toMatchObject({ type: 'fatal', status: 404 });
    expect(
      decide(fail(410, { error: { id: 'self_service_flow_expired' } }), { kind: 'login', here, creating: true })
    ).toMatchObject({ type: 'fatal' });
  });

  it('anything else is shown, with a message even when the server sent none', () => {
    const a = decide(fail(500, { error: { code: 500, message: 'internal error' } }), { kind: 'login', here });
    expect(a).toEqual({ type: 'fatal', status: 500, error: { code: 500, message: 'internal error' } });
    expect(decide(fail(0, null), { kind: 'login', here })).toMatchObject({
      type: 'fatal',
      status: 0,
      error: { message: 'Something went wrong.' }
    });
    expect(decide(fail(400, { error: { id: 'self_service_flow_return_to_forbidden' } }), { kind: 'login', here }).type).toBe(
      'fatal'
    );
  });
});

describe('loginPath', () => {
  it('builds /login with parameters', () => {
    expect(loginPath({}, undefined)).toBe('/login');
    expect(loginPath({ aal: 'aal2' }, 'http://x/y?z=1')).toBe('/login?aal=aal2&return_to=http%3A%2F%2Fx%2Fy%3Fz%3D1');
  });
});
