// The shared flow loader against a fake identity server (fetch stubbed), checking what the
// person ends up seeing or where they are sent.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const nav = vi.hoisted(() => ({ goto: vi.fn(async () => {}), replaceState: vi.fn() }));
vi.mock('$app/navigation', () => nav);

import { LoginFlowFromJSON } from '@ory/client-fetch';
import { FlowController } from './controller.svelte';

const ORIGIN = 'http://127.0.0.1:4455';
const flow = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'browser',
  expires_at: '2030-01-01T00:00:00Z',
  issued_at: '2030-01-01T00:00:00Z',
  request_url: `${ORIGIN}/self-service/login/browser`,
  state: 'choose_method',
  ui: {
    action: `${ORIGIN}/self-service/login?flow=${id}`,
    method: 'POST',
    nodes: [
      { type: 'input', group: 'default', attributes: { node_type: 'input', name: 'csrf_token', type: 'hidden', value: 't' }, messages: [], meta: {} }
    ],
    messages: []
  },
  ...extra
});

type Handler = (url: URL, init: RequestInit) => Response | undefined;
let handlers: Handler[] = [];
const calls: string[] = [];
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function page(path: string) {
  const loc = { href: ORIGIN + path, origin: ORIGIN, assign: vi.fn() };
  vi.stubGlobal('location', loc);
  return loc;
}

beforeEach(() => {
  handlers = [];
  calls.length = 0;
  nav.goto.mockClear();
  nav.replaceState.mockClear();
  vi.stubGlobal('fetch', async (input: string, init: RequestInit) => {
    const url = new URL(input);
    calls.push(`${init.method ?? 'GET'} ${url.pathname}${url.search}`);
    for (const h of handlers) {
      const r = h(url, init);
      if (r) return r;
    }
    return json(404, { error: { code: 404, message: 'not found' } });
  });
});

describe('FlowController', () => {
  it('an expired flow id is replaced by the flow the server names (use_flow_id)', async () => {
    page('/login?flow=old');
    handlers.push((u) =>
      u.searchParams.get('id') === 'old'
        ? json(410, { error: { id: 'self_service_flow_expired', code: 410 }, use_flow_id: 'new' })
        : u.searchParams.get('id') === 'new'
          ? json(200, flow('new', { ui: { ...flow('new').ui, messages: [{ id: 4010001, text: 'expired', type: 'error' }] } }))
          : undefined
    );
    const ctl = new FlowController('login');
    await ctl.sync(new URL(ORIGIN + '/login?flow=old'));
    expect(ctl.flow?.id).toBe('new');
    expect(ctl.flow?.ui.messages?.[0].id).toBe(4010001);
    expect(nav.replaceState).toHaveBeenCalledWith(new URL(ORIGIN + '/login?flow=new'), {});
  });

  it('an expired flow without a replacement gets a fresh one and the expiry message', async () => {
    page('/login?flow=old&return_to=http%3A%2F%2F127.0.0.1%3A4455%2Fsettings');
    handlers.push((u) => (u.pathname === '/self-service/login/flows' ? json(410, { error: { id: 'self_service_flow_expired', code: 410 } }) : undefined));
    handlers.push((u) => (u.pathname === '/self-service/login/browser' ? json(200, flow('fresh')) : undefined));
    const ctl = new FlowController('login');
    await ctl.sync(new URL(ORIGIN + '/login?flow=old&return_to=http%3A%2F%2F127.0.0.1%3A4455%2Fsettings'));
    expect(ctl.flow?.id).toBe('fresh');
    expect(ctl.notice?.id).toBe(4010001);
    // The new flow keeps where to go afterwards.
    expect(calls).toContain('GET /self-service/login/browser?return_to=http%3A%2F%2F127.0.0.1%3A4455%2Fsettings');
  });

  it('uses the answer the route load already fetched, for the same URL only', async () => {
    page('/login');
    handlers.push((u) => (u.pathname === '/self-service/login/browser' ? json(200, flow('fetched')) : undefined));
    const initial = { search: '', result: Promise.resolve({ ok: true as const, status: 200, data: LoginFlowFromJSON(flow('preloaded')), headers: new Headers() }) };
    const ctl = new FlowController('login');
    await ctl.sync(new URL(ORIGIN + '/login'), initial);
    expect(ctl.flow?.id).toBe('preloaded');
    expect(calls).toEqual([]);
    // A different URL (e.g. /login?aal=aal2 after navigating) does not reuse it.
    const other = new FlowController('login');
    await other.sync(new URL(ORIGIN + '/login?aal=aal2'), initial);
    expect(calls).toEqual(['GET /self-service/login/browser?aal=aal2']);
  });

  it('an expired flow on submit gets a fresh one with the typed identifier kept (not the password)', async () => {
    page('/login?flow=l1');
    const withFields = (id: string) =>
      flow(id, {
        ui: {
          ...flow(id).ui,
          nodes: [
            ...flow(id).ui.nodes,
            { type: 'input', group: 'default', attributes: { node_type: 'input', name: 'identifier', type: 'text', value: '' }, messages: [], meta: {} },
            { type: 'input', group: 'password', attributes: { node_type: 'input', name: 'password', type: 'password' }, messages: [], meta: {} }
          ]
        }
      });
    handlers.push((u, init) => (init.method === 'GET' && u.searchParams.get('id') === 'l1' ? json(200, withFields('l1')) : undefined));
    handlers.push((_u, init) => (init.method === 'POST' ? json(410, { error: { id: 'self_service_flow_expired', code: 410 } }) : undefined));
    handlers.push((u) => (u.pathname === '/self-service/login/browser' ? json(200, withFields('l2')) : undefined));
    const ctl = new FlowController('login');
    await ctl.sync(new URL(ORIGIN + '/login?flow=l1'));
    await ctl.submit({ method: 'password', identifier: 'ada@example.com', password: 'secret', csrf_token: 't' });
    expect(ctl.flow?.id).toBe('l2');
    expect(ctl.notice?.id).toBe(4010001);
    const value = (name: string) =>
      ctl.flow?.ui.nodes.map((n) => n.attributes as { name?: string; value?: unknown }).find((a) => a.name === name)?.value;
    expect(value('identifier')).toBe('ada@example.com');
    expect(value('password')).toBeUndefined();
  });

  it('a settings submit needing a fresh sign-in goes to /login?refresh=true and back', async () => {
    page('/settings?flow=s1');
    handlers.push((u, init) => (init.method === 'GET' && u.pathname === '/self-service/settings/flows' ? json(200, flow('s1', { identity: { id: 'i', schema_id: 'default', schema_url: 'x', traits: {} } })) : undefined));
    handlers.push((u, init) => (init.method === 'POST' ? json(403, { error: { id: 'session_refresh_required', code: 403 }, redirect_browser_to: 'http://127.0.0.1:4433/self-service/login/browser?refresh=true' }) : undefined));
    const ctl = new FlowController('settings');
    await ctl.sync(new URL(ORIGIN + '/settings?flow=s1'));
    await ctl.submit({ method: 'password', password: 'new password 1234', csrf_token: 't' });
    expect(nav.goto).toHaveBeenCalledWith(`/login?refresh=true&return_to=${encodeURIComponent(ORIGIN + '/settings?flow=s1')}`, { invalidateAll: true });
  });

  it('a session lacking the second factor is sent to /login?aal=aal2', async () => {
    page('/settings');
    handlers.push((u) => (u.pathname === '/self-service/settings/browser' ? json(403, { error: { id: 'session_aal2_required', code: 403 } }) : undefined));
    const ctl = new FlowController('settings');
    await ctl.sync(new URL(ORIGIN + '/settings'));
    expect(nav.goto).toHaveBeenCalledWith(`/login?aal=aal2&return_to=${encodeURIComponent(ORIGIN + '/settings')}`, { invalidateAll: true });
  });

  it('422 browser_location_change_required leaves for the named URL', async () => {
    const loc = page('/recovery?flow=r1');
    handlers.push((u, init) => (init.method === 'GET' ? json(200, flow('r1')) : undefined));
    handlers.push((_u, init) => (init.method === 'POST' ? json(422, { error: { id: 'browser_location_change_required', code: 422 }, redirect_browser_to: 'https://idp.example.com/authorize' }) : undefined));
    const ctl = new FlowController('recovery');
    await ctl.sync(new URL(ORIGIN + '/recovery?flow=r1'));
    await ctl.submit({ method: 'code', code: '123456', csrf_token: 't' });
    expect(loc.assign).toHaveBeenCalledWith('https://idp.example.com/authorize');
  });

  it('a 400 answer shows the returned flow with its messages, and a login success goes on', async () => {
    page('/login?flow=l1');
    let attempt = 0;
    handlers.push((u, init) => (init.method === 'GET' ? json(200, flow('l1', { return_to: `${ORIGIN}/settings` })) : undefined));
    handlers.push((_u, init) => {
      if (init.method !== 'POST') return undefined;
      attempt++;
      return attempt === 1
        ? json(400, flow('l1', { return_to: `${ORIGIN}/settings`, ui: { ...flow('l1').ui, messages: [{ id: 4000006, text: 'invalid', type: 'error' }] } }))
        : json(200, { session: { id: 's', active: true, identity: { id: 'i', schema_id: 'd', schema_url: 'x', traits: {} } } });
    });
    const ctl = new FlowController('login');
    await ctl.sync(new URL(ORIGIN + '/login?flow=l1'));
    await ctl.submit({ method: 'password', identifier: 'a@b.c', password: 'wrong', csrf_token: 't' });
    expect(ctl.flow?.ui.messages?.[0].id).toBe(4000006);
    expect(ctl.busy).toBe(false);
    await ctl.submit({ method: 'password', identifier: 'a@b.c', password: 'right', csrf_token: 't' });
    expect(nav.goto).toHaveBeenCalledWith('/settings', { invalidateAll: true });
  });

  it('a server that is down shows an error instead of a blank page', async () => {
    page('/login');
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    const ctl = new FlowController('login');
    await ctl.sync(new URL(ORIGIN + '/login'));
    expect(ctl.flow).toBeNull();
    expect(ctl.fatal).toMatchObject({ status: 0, error: { id: 'network_error' } });
  });
});
