// Form fields for an identity's traits, derived from its JSON schema: one field per scalar
// property (nested objects flattened to dotted paths). Anything the form cannot express (arrays,
// $ref, oneOf) makes `traitFields` return null and the page falls back to editing JSON.

export interface TraitField {
  path: string;
  title: string;
  type: 'string' | 'number' | 'integer' | 'boolean';
  format?: string;
  required: boolean;
}

type Schema = Record<string, unknown>;

function walk(schema: Schema, prefix: string, required: string[], out: TraitField[]): boolean {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [key, prop] of Object.entries(props)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const type = prop.type;
    if (type === 'object') {
      if (!walk(prop, path, (prop.required as string[]) ?? [], out)) return false;
    } else if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') {
      out.push({
        path,
        title: typeof prop.title === 'string' ? prop.title : key,
        type,
        format: typeof prop.format === 'string' ? prop.format : undefined,
        required: required.includes(key)
      });
    } else {
      return false;
    }
  }
  return true;
}

/** The trait fields of an identity schema, or null when it needs the JSON editor. */
export function traitFields(identitySchema: unknown): TraitField[] | null {
  const s = identitySchema as Schema | null;
  const traits = (s?.properties as Record<string, Schema> | undefined)?.traits;
  if (!traits || traits.type !== 'object') return null;
  const out: TraitField[] = [];
  return walk(traits, '', (traits.required as string[]) ?? [], out) ? out : null;
}

export function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** Builds the traits object from form values; empty optional fields are left out. */
export function traitsFromForm(fields: TraitField[], values: Record<string, string | boolean>): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.path];
    if (v === undefined || v === '') continue;
    const typed = f.type === 'boolean' ? v === true || v === 'true' : f.type === 'string' ? v : Number(v);
    const keys = f.path.split('.');
    let obj = traits;
    for (const k of keys.slice(0, -1)) obj = (obj[k] ??= {}) as Record<string, unknown>;
    obj[keys[keys.length - 1]] = typed;
  }
  return traits;
}
