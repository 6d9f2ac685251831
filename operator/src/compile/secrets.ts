// The Secrets an output references. Only these are readable by the agent (RBAC `resourceNames`),
// and only their references — never their values — appear in the agent config.
import type { SecretOption } from '../../../contract/agent-config/types.ts';
import { destinationOf } from '../destinations/index.ts';
import type { Output } from './ids.ts';

export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

function isRef(v: unknown): v is { name: string; key: string; namespace?: string } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return (
    keys.includes('name') &&
    keys.includes('key') &&
    keys.every((k) => k === 'name' || k === 'key' || k === 'namespace')
  );
}

/** Every secret reference inside the destination block, with its namespace made explicit. */
export function secretRefs(output: Output): SecretRef[] {
  const ns = output.kind === 'LogOutput' ? output.metadata.namespace! : undefined;
  const out: SecretRef[] = [];
  const walk = (v: unknown): void => {
    if (isRef(v)) {
      out.push({ namespace: v.namespace ?? ns!, name: v.name, key: v.key });
      return;
    }
    if (v && typeof v === 'object') for (const child of Object.values(v)) walk(child);
  };
  const type = destinationOf(output.spec);
  if (type !== undefined) walk(output.spec[type]);
  return out;
}

type ApiRef = { name: string; key: string; namespace?: string };

/** An API block with its secret references (`{name, key[, namespace]}`) as the agent's. */
export type Qualified<T> = T extends ApiRef
  ? Exclude<keyof T, keyof ApiRef> extends never
    ? SecretOption
    : { [K in keyof T]: Qualified<T[K]> }
  : T extends readonly (infer U)[]
    ? Qualified<U>[]
    : T extends object
      ? { [K in keyof T]: Qualified<T[K]> }
      : T;

/** Replace secret references by `{ secret: {namespace, name, key} }` for the agent config. */
export function qualifySecrets<T>(block: T, namespace: string | undefined): Qualified<T> {
  const map = (v: unknown): unknown => {
    if (isRef(v)) return { secret: { namespace: v.namespace ?? namespace, name: v.name, key: v.key } };
    if (Array.isArray(v)) return v.map(map);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, map(c)]));
    return v;
  };
  return map(block) as Qualified<T>;
}
