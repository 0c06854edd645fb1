// Where a successful submit leads. Pure, like `decide`.
import type { FlowKind } from './outcome';

export type Next = { type: 'redirect'; to: string } | { type: 'render'; flow: Record<string, unknown> };

interface ContinueWith {
  action?: string;
  redirect_browser_to?: string;
  flow?: { id?: string; url?: string };
}

function continueWith(data: Record<string, unknown>): ContinueWith[] {
  const list = data.continue_with;
  return Array.isArray(list) ? (list as ContinueWith[]) : [];
}

/** Whether `to` is the page `here` showing flow `id`. */
function samePage(to: string, here: string, id: string): boolean {
  try {
    const a = new URL(to, here);
    const b = new URL(here);
    return a.origin === b.origin && a.pathname === b.pathname && a.searchParams.get('flow') === id;
  } catch {
    return false;
  }
}

/**
 * Decides what follows a 2xx answer of a flow's update endpoint. Login and registration answer
 * with a session (and `continue_with`); settings, recovery and verification with the flow.
 */
export function afterSuccess(
  kind: FlowKind,
  data: unknown,
  returnTo: string | undefined,
  here?: string
): Next {
  const body = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const next = continueWith(body);
  // Sign-up with `show_verification_ui`: the server also says where to go afterwards
  // (`redirect_browser_to`), but the address is verified first, as Ory's own UIs do.
  if (kind === 'registration') {
    const verify = next.find((c) => c.action === 'show_verification_ui' && c.flow?.id);
    if (verify) return { type: 'redirect', to: `/verification?flow=${encodeURIComponent(verify.flow!.id!)}` };
  }
  const redirect = next.find((c) => c.action === 'redirect_browser_to' && c.redirect_browser_to);
  if (redirect?.redirect_browser_to) {
    // Settings answers "go to this same settings flow": show the answer (it has the messages).
    if (here && typeof body.id === 'string' && body.ui && samePage(redirect.redirect_browser_to, here, body.id)) {
      return { type: 'render', flow: body };
    }
    return { type: 'redirect', to: redirect.redirect_browser_to };
  }

  const settings = next.find((c) => c.action === 'show_settings_ui' && c.flow?.id);
  if (settings) return { type: 'redirect', to: `/settings?flow=${encodeURIComponent(settings.flow!.id!)}` };

  if (kind === 'login' || kind === 'registration') return { type: 'redirect', to: returnTo || '/' };
  return { type: 'render', flow: body };
}
