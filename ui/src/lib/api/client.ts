import { Configuration, FrontendApi } from '@ory/client-fetch';
import { PUBLIC_API_BASE } from '$lib/config';

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
    headers: { Accept: 'application/json', ...headers }
  });
}

let frontend: FrontendApi | undefined;

/** The public (self-service) API of the identity server. */
export function frontendApi(): FrontendApi {
  frontend ??= new FrontendApi(configuration(PUBLIC_API_BASE || origin()));
  return frontend;
}
