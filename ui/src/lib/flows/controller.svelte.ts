// The one loader shared by every flow page: creates or fetches the flow, submits it, and acts
// on the answer (render, redirect, start over, or show an error).
import { goto, replaceState } from '$app/navigation';
import { tick } from 'svelte';
import type { UiText } from '@ory/client-fetch';
import type { ApiError, Result } from '$lib/api/result';
import type { Initial } from './preload';
import { createFlow, getFlow, initParams, parseFlow, updateFlow, type Flow } from './kinds';
import { decide, type Action, type FlowKind } from './outcome';
import { afterSuccess } from './success';
import { isInput } from '$lib/ui/nodes';

/** Navigates within the app when the target is on this origin, else leaves it. */
export async function navigate(to: string): Promise<void> {
  const url = new URL(to, location.href);
  if (url.origin === location.origin && !url.pathname.startsWith('/self-service/')) {
    await goto(url.pathname + url.search + url.hash, { invalidateAll: true });
  } else {
    location.assign(url.href);
  }
}

/** Visible field types worth carrying into a fresh flow (never passwords or codes). */
const CARRY = new Set(['text', 'email', 'tel', 'url']);

/** Fills empty text fields of a fresh flow with what the person typed into the expired one. */
export function prefill(flow: Flow, submitted: Record<string, unknown>): void {
  for (const n of flow.ui.nodes) {
    if (!isInput(n) || !CARRY.has(n.attributes.type) || /code|secret/.test(n.attributes.name)) continue;
    if (n.attributes.value) continue;
    const v = n.attributes.name
      .split('.')
      .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), submitted);
    if (typeof v === 'string' && v) n.attributes.value = v;
  }
}

export class FlowController {
  readonly kind: FlowKind;
  flow = $state<Flow | null>(null);
  /** A message from the UI itself (expired flow started over, network trouble). */
  notice = $state<UiText | null>(null);
  fatal = $state<{ status: number; error: ApiError } | null>(null);
  busy = $state(false);
  /** Bumped on each new answer so the page can move focus to what changed. */
  revision = $state(0);
  private search = new URLSearchParams();
  /** The query string of the flow `adopt` showed; `sync` then only has to put its id in the URL. */
  private adopted: string | undefined;

  constructor(kind: FlowKind) {
    this.kind = kind;
  }

  private context(creating = false) {
    return {
      kind: this.kind,
      here: location.href,
      returnTo: this.flow?.return_to ?? this.search.get('return_to') ?? undefined,
      creating
    };
  }

  /**
   * Shows the flow the route's load already has, before the first render (no loading state);
   * anything else (an error, no answer yet) is left to `sync`.
   */
  adopt(url: URL, initial: Initial | undefined): void {
    const res = initial?.search === url.search ? initial.settled : undefined;
    if (res?.ok) {
      this.search = new URLSearchParams(url.search);
      this.show(res.data, false);
      this.adopted = url.search;
    }
  }

  /**
   * Loads the flow named in the URL, or creates one; no-op when it is already shown. `initial`
   * is the answer the route's `load` already asked for (see preload.ts).
   */
  async sync(url: URL, initial?: Initial): Promise<void> {
    const id = url.searchParams.get('flow');
    if (id && id === this.flow?.id) return;
    if (this.flow && this.adopted === url.search) {
      this.adopted = undefined;
      // This runs in the first render, before SvelteKit's router has its root component
      // (replaceState would throw reading `$set`). The address only matters for a reload, so
      // it waits until the form has been painted (replaceState costs ~15 ms of main thread).
      await tick();
      await afterPaint();
      return this.setUrl(this.flow.id);
    }
    this.adopted = undefined;
    this.search = new URLSearchParams(url.search);
    this.fatal = null;
    const early = initial && initial.search === url.search ? await initial.result : undefined;
    if (id) {
      const res = early ?? (await getFlow(this.kind, id));
      if (res.ok) return this.show(res.data);
      return this.act(decide(res, this.context()));
    }
    return this.create(null, early);
  }

  private async create(notice: UiText | null = null, early?: Result<Flow>): Promise<void> {
    const res = early ?? (await createFlow(this.kind, initParams(this.kind, this.search)));
    if (!res.ok) return this.act(decide(res, this.context(true)));
    this.show(res.data);
    this.notice = notice;
  }

  private show(flow: Flow, updateUrl = true) {
    // Links from emails carry the code: fill it in so the person only has to confirm.
    const code = this.search.get('code');
    if (code) {
      for (const n of flow.ui.nodes) {
        if (isInput(n) && n.attributes.name === 'code' && !n.attributes.value) n.attributes.value = code;
      }
    }
    this.flow = flow;
    this.notice = null;
    this.revision++;
    if (updateUrl) this.setUrl(flow.id);
  }

  /** Puts the flow's id in the address, so a reload shows the same flow. */
  private setUrl(id: string) {
    const url = new URL(location.href);
    if (url.searchParams.get('flow') !== id) {
      url.searchParams.set('flow', id);
      replaceState(url, {});
    }
  }

  private async act(action: Action, submitted?: Record<string, unknown>): Promise<void> {
    switch (action.type) {
      case 'render':
        this.show(parseFlow(this.kind, action.flow));
        return;
      case 'redirect':
        return navigate(action.to);
      case 'restart':
        if (action.useFlowId) {
          const res = await getFlow(this.kind, action.useFlowId);
          if (res.ok) {
            if (submitted) prefill(res.data, submitted);
            this.show(res.data);
            if (!res.data.ui.messages?.length) this.notice = action.notice;
            return;
          }
        }
        await this.create(action.notice);
        if (submitted && this.flow) prefill(this.flow, submitted);
        return;
      case 'fatal':
        this.fatal = { status: action.status, error: action.error };
        this.revision++;
    }
  }

  /** Submits the current flow with a body built from its nodes. */
  async submit(body: Record<string, unknown>): Promise<void> {
    if (!this.flow || this.busy) return;
    this.busy = true;
    try {
      const res = await updateFlow(this.kind, this.flow.id, body);
      if (!res.ok) return await this.act(decide(res, this.context()), body);
      const next = afterSuccess(this.kind, res.data, this.flow.return_to, location.href);
      if (next.type === 'redirect') return await navigate(next.to);
      this.show(next.flow as unknown as Flow);
    } finally {
      this.busy = false;
    }
  }
}

/** Resolves once the next frame has been painted (at once where nothing paints, e.g. tests). */
function afterPaint(): Promise<void> {
  if (typeof requestAnimationFrame !== 'function') return Promise.resolve();
  return new Promise((ok) => requestAnimationFrame(() => setTimeout(ok)));
}
