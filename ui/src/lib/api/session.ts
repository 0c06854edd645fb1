import type { Session } from '@ory/client-fetch';
import { frontendApi } from './client';
import { call, type Result } from './result';

/** The current session (`/sessions/whoami`). */
export function whoami(): Promise<Result<Session>> {
  const api = frontendApi();
  return call(() => api.toSessionRaw({}));
}

/** Signs out: fetches a logout token and spends it, then the caller moves on. */
export async function logout(): Promise<boolean> {
  const api = frontendApi();
  const flow = await call(() => api.createBrowserLogoutFlowRaw({}));
  if (!flow.ok) return flow.status === 401; // no session: already signed out
  const done = await call(() => api.updateLogoutFlowRaw({ token: flow.data.logout_token }));
  return done.ok;
}

/** The name to greet someone by: first name, else email, else the identity id. */
export function displayName(session: Session): string {
  const traits = (session.identity?.traits ?? {}) as { email?: string; name?: { first?: string } };
  return traits.name?.first || traits.email || session.identity?.id || 'there';
}
