import { describe, expect, it } from 'vitest';
import { call } from './result';

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', link: '<x?page_token=n>; rel="next"' } });

describe('call', () => {
  it('returns data and headers on success', async () => {
    const raw = json(200, { id: 1 });
    const res = await call(async () => ({ raw, value: async () => ({ id: 1 }) }));
    expect(res).toMatchObject({ ok: true, status: 200, data: { id: 1 } });
    expect(res.ok && res.headers.get('link')).toContain('page_token');
  });

  it('turns an HTTP error into a value with the Ory error', async () => {
    const response = json(410, { error: { id: 'self_service_flow_expired', code: 410 }, use_flow_id: 'n' });
    const res = await call(() => Promise.reject(Object.assign(new Error('Response returned an error code'), { response })));
    expect(res).toMatchObject({ ok: false, status: 410, error: { id: 'self_service_flow_expired' }, body: { use_flow_id: 'n' } });
  });

  it('never throws on network failures or non-JSON bodies', async () => {
    const net = await call(() => Promise.reject(new TypeError('fetch failed')));
    expect(net).toMatchObject({ ok: false, status: 0, error: { id: 'network_error' } });
    const html = await call(() => Promise.reject({ response: new Response('<html>', { status: 502 }) }));
    expect(html).toMatchObject({ ok: false, status: 502, body: null, error: null });
  });
});
