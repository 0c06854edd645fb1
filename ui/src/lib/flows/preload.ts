// The flow a page starts with, fetched in the route's `load` so the page's first render already
// has the form (no loading frame in between). Waits at most a moment: a slow server gets the
// loading skeleton and the page picks the answer up when it comes.
import type { Result } from '$lib/api/result';
import { createFlow, getFlow, initParams, type Flow } from './kinds';
import type { FlowKind } from './outcome';

export interface Initial {
  /** The query string the flow was fetched for (the page ignores it for any other URL). */
  search: string;
  result: Promise<Result<Flow>>;
  /** The answer, once it has come (so the page can show it in its very first render). */
  settled?: Result<Flow>;
}

/** Fetches the flow named in the URL, or creates one with the URL's init parameters. */
export function fetchInitial(kind: FlowKind, url: URL): Initial {
  const id = url.searchParams.get('flow');
  const result = id ? getFlow(kind, id) : createFlow(kind, initParams(kind, url.searchParams));
  const initial: Initial = { search: url.search, result };
  void result.then((r) => (initial.settled = r));
  return initial;
}

/** A `load` for a flow page. */
export function preload(kind: FlowKind, waitMs = 1000) {
  return async ({ url }: { url: URL }) => {
    const initial = fetchInitial(kind, url);
    await Promise.race([initial.result, new Promise((r) => setTimeout(r, waitMs))]);
    return { initial };
  };
}
