// Pure helpers over Ory UI nodes: type guards, labels, grouping into sections and turning a
// submitted form into the JSON body of the flow's update endpoint.
import type {
  UiNode,
  UiNodeAnchorAttributes,
  UiNodeDivisionAttributes,
  UiNodeImageAttributes,
  UiNodeInputAttributes,
  UiNodeScriptAttributes,
  UiNodeTextAttributes,
  UiText
} from '@ory/client-fetch';
import { messageText } from './messages';

export type InputNode = UiNode & { attributes: UiNodeInputAttributes };
export type ImageNode = UiNode & { attributes: UiNodeImageAttributes };
export type AnchorNode = UiNode & { attributes: UiNodeAnchorAttributes };
export type TextNode = UiNode & { attributes: UiNodeTextAttributes };
export type ScriptNode = UiNode & { attributes: UiNodeScriptAttributes };
export type DivNode = UiNode & { attributes: UiNodeDivisionAttributes };

export const isInput = (n: UiNode): n is InputNode => n.attributes.node_type === 'input';
export const isImage = (n: UiNode): n is ImageNode => n.attributes.node_type === 'img';
export const isAnchor = (n: UiNode): n is AnchorNode => n.attributes.node_type === 'a';
export const isText = (n: UiNode): n is TextNode => n.attributes.node_type === 'text';
export const isScript = (n: UiNode): n is ScriptNode => n.attributes.node_type === 'script';
export const isDiv = (n: UiNode): n is DivNode => n.attributes.node_type === 'div';

/** Buttons: submit inputs and script-triggered buttons (WebAuthn, passkeys). */
export const isButton = (n: UiNode): boolean =>
  isInput(n) && (n.attributes.type === 'submit' || n.attributes.type === 'button');
export const isHidden = (n: UiNode): boolean => isInput(n) && n.attributes.type === 'hidden';

/** A stable key for a node within its flow (names repeat across groups, e.g. `method`). */
export function nodeKey(n: UiNode, index: number): string {
  const a = n.attributes as { name?: string; id?: string; value?: unknown };
  return `${n.group}:${a.name ?? a.id ?? n.type}:${String(a.value ?? '')}:${index}`;
}

/** The visible label of a node: its meta label, the input's own label, or its name. */
export function labelOf(n: UiNode): string {
  if (n.meta?.label) return messageText(n.meta.label);
  if (isInput(n) && n.attributes.label) return messageText(n.attributes.label);
  if (isAnchor(n)) return messageText(n.attributes.title);
  if (isInput(n)) return n.attributes.name;
  return '';
}

/** Messages (errors first) so the most important one is read first by screen readers. */
export function sortMessages(messages: UiText[] | undefined): UiText[] {
  const rank: Record<string, number> = { error: 0, info: 1, success: 2 };
  return [...(messages ?? [])].sort((a, b) => rank[a.type] - rank[b.type]);
}

export interface Section {
  group: string;
  nodes: UiNode[];
}

/** Groups whose buttons take the person elsewhere; shown first, above an "or" divider. */
const SOCIAL = new Set(['oidc', 'saml']);

/**
 * Splits nodes into sections by group, keeping the server's order within each. Visible nodes
 * of the `default` group (e.g. the login identifier shared by password and code) open the first
 * non-social section; hidden inputs (the CSRF token, carried traits) are returned apart.
 */
export function sections(nodes: UiNode[]): { hidden: UiNode[]; sections: Section[] } {
  const hidden: UiNode[] = [];
  const defaults: UiNode[] = [];
  const byGroup = new Map<string, UiNode[]>();
  for (const n of nodes) {
    if (isScript(n)) continue; // WebAuthn is driven by our own code, never by server scripts
    if (isHidden(n)) {
      hidden.push(n);
    } else if (n.group === 'default') {
      defaults.push(n);
    } else {
      if (!byGroup.has(n.group)) byGroup.set(n.group, []);
      byGroup.get(n.group)!.push(n);
    }
  }
  const social: Section[] = [];
  const rest: Section[] = [];
  for (const [group, list] of byGroup) (SOCIAL.has(group) ? social : rest).push({ group, nodes: list });
  if (defaults.length) {
    if (rest.length) rest[0] = { group: rest[0].group, nodes: [...defaults, ...rest[0].nodes] };
    else rest.push({ group: 'default', nodes: defaults });
  }
  return { hidden, sections: [...social, ...rest] };
}

/** Keeps the nodes of the given groups plus the `default` group (CSRF token, identifier). */
export function onlyGroups(nodes: UiNode[], groups: readonly string[]): UiNode[] {
  return nodes.filter((n) => n.group === 'default' || groups.includes(n.group));
}

/** Sets `path` ("traits.name.first") in a nested object. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let obj = target;
  for (const key of keys.slice(0, -1)) {
    const next = obj[key];
    if (typeof next !== 'object' || next === null) obj[key] = {};
    obj = obj[key] as Record<string, unknown>;
  }
  obj[keys[keys.length - 1]] = value;
}

/** The button the person pressed: its node and the method it selects. */
export interface Submitter {
  name: string;
  value: unknown;
  group: string;
}

/** The method a submit button selects: `method=<x>` buttons name it, others use their group. */
export function methodOf(s: Submitter): string {
  return s.name === 'method' && typeof s.value === 'string' ? s.value : s.group;
}

/**
 * Builds the update body for a submitted form: the values of the inputs in the method's group
 * and the `default` group (other methods' fields are left out), nested by dotted names and typed
 * from the node (checkboxes → booleans, numbers → numbers), plus the pressed button.
 */
export function buildBody(
  nodes: UiNode[],
  values: Map<string, FormDataEntryValue[]> | FormData,
  submitter: Submitter
): Record<string, unknown> {
  const method = methodOf(submitter);
  const body: Record<string, unknown> = { method };
  const get = (name: string) =>
    values instanceof Map ? (values.get(name) ?? []) : values.getAll(name);
  for (const n of nodes) {
    if (!isInput(n) || isButton(n)) continue;
    if (n.group !== 'default' && n.group !== method) continue;
    const { name, type } = n.attributes;
    if (name === 'method') continue;
    const raw = get(name);
    if (type === 'checkbox') {
      setPath(body, name, raw.some((v) => v === 'true' || v === 'on'));
      continue;
    }
    // Hidden inputs keep the node's typed value unless our own code changed them (WebAuthn).
    const nodeValue = n.attributes.value;
    const changed = raw.length > 0 && raw[0] !== String(nodeValue ?? '');
    const first = type === 'hidden' && !changed ? nodeValue : raw.length ? raw[0] : nodeValue;
    if (first === undefined || first === null) continue;
    if (typeof first !== 'string') {
      setPath(body, name, first);
      continue;
    }
    if (type === 'number') {
      if (first.trim() !== '') setPath(body, name, Number(first));
      continue;
    }
    // Optional traits left empty are left out, so the schema sees them as absent.
    if (first === '' && !n.attributes.required && name.startsWith('traits.')) continue;
    setPath(body, name, first);
  }
  if (submitter.name !== 'method') setPath(body, submitter.name, submitter.value ?? true);
  return body;
}
