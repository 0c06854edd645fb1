import { afterEach, describe, expect, it, vi } from 'vitest';
import { takeEarly } from './client';

const ORIGIN = 'http://127.0.0.1:4455';

function withEarly(url: string) {
  const response = Promise.resolve(new Response('{}'));
  vi.stubGlobal('location', { href: `${ORIGIN}/login`, origin: ORIGIN });
  vi.stubGlobal('window', { __nexusEarly: { url, response } });
  return response;
}

afterEach(() => vi.unstubAllGlobals());

describe('takeEarly (the flow request app.html starts)', () => {
  it('hands the early response to the matching SDK request, once', () => {
    const response = withEarly('/self-service/login/browser');
    expect(takeEarly(`${ORIGIN}/self-service/login/browser`, { method: 'GET' })).toBe(response);
    expect(takeEarly(`${ORIGIN}/self-service/login/browser`, { method: 'GET' })).toBeUndefined();
  });

  it('matches the query exactly and only for GET on this origin', () => {
    withEarly('/self-service/login/flows?id=abc');
    expect(takeEarly(`${ORIGIN}/self-service/login/flows?id=abd`)).toBeUndefined();
    expect(takeEarly(`${ORIGIN}/self-service/login/flows?id=abc`, { method: 'POST' })).toBeUndefined();
    expect(takeEarly(`http://127.0.0.1:4433/self-service/login/flows?id=abc`)).toBeUndefined();
    expect(takeEarly(`${ORIGIN}/self-service/login/flows?id=abc`)).toBeDefined();
  });
});
