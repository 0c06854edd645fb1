import { Configuration, FrontendApi } from '@ory/client-fetch';
import { PUBLIC_API_BASE } from '$lib/config';

declare global {
  interface Window {
    /** The flow request app.html starts before the app has loaded. */
    __nexusEarly?: { url: string; response: Promise<Response> };
  }
}

/** Hands out app.html's early response to the first SDK call asking for exactly that URL. */
export function takeEarly(url: string, init?: RequestInit): Promise<Response> | undefined {
  const early = typeof window === 'undefined' ? undefined : window.__nexusEarly;
  if (!early || (init?.method ?? 'GET') !== 'GET') return undefined;
  const u = new URL(url, location.href);
  if (u.origin !== location.origin || u.pathname + u.search !== early.url) return undefined;
  window.__nexusEarly = undefined;
  return early.response;
}

function origin(): string {
  return typeof location === 'undefined' ? 'http://localhost' : location.origin;
}

/**
 * SDK configuration shared by every API: cookies always go along (the session and CSRF
 * cookies), and `Accept: application/json` makes the identity server answer browser flows
 * with JSON instead of redirects.
 */
export function configuration(basePath: string, headers: Record<string, string> = {}) {
  return new Configuration({
    basePath,
    credentials: 'include',
    headers: { Accept: 'application/json', ...headers },
    fetchApi: (url, init) => takeEarly(String(url), init) ?? fetch(url, init)
  });
}

let frontend: FrontendApi | undefined;

/** The public (self-service) API of the identity server. */
export function frontendApi(): FrontendApi {
  frontend ??= new FrontendApi(configuration(PUBLIC_API_BASE || origin()));
  return frontend;
}
