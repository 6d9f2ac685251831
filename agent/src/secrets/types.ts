// Secrets reach the agent as references `{secret: {namespace, name, key}}` in its config (the
// operator never copies values). A SecretStore turns a reference into the current value and tells
// the subscribers of a Secret when its data changed, so a sink rebuilds its connection with the
// rotated credential without a restart. Subscriptions are per Secret: an output follows only the
// Secrets its own options reference, so one tenant's rotation never reconnects another's output.

import type { SecretOption, SecretRef } from '../../../contract/agent-config/types.ts';

export type { SecretOption, SecretRef };

export interface SecretStore {
  /** The current value; rejects with SecretError when the Secret or key is missing or unreadable. */
  get(ref: SecretRef): Promise<string>;
  /**
   * `cb` runs after the data of one of the Secrets `refs` name (namespace/name; the key does not
   * matter) changed, once that Secret was read through this store. Returns unsubscribe.
   */
  onChange(refs: readonly SecretRef[], cb: () => void): () => void;
  close(): void;
}

export class SecretError extends Error {
  readonly ref: SecretRef;
  constructor(ref: SecretRef, message: string) {
    super(message);
    this.name = 'SecretError';
    this.ref = ref;
  }
}

export const refText = (r: SecretRef): string => `Secret ${r.namespace}/${r.name} key '${r.key}'`;

export function isSecretOption(v: unknown): v is SecretOption {
  if (v === null || typeof v !== 'object') return false;
  const s = (v as { secret?: unknown }).secret;
  return s !== null && typeof s === 'object' && typeof (s as SecretRef).name === 'string';
}

/** `namespace/name` of the Secret a reference points into. */
export const secretKey = (r: { namespace: string; name: string }): string => `${r.namespace}/${r.name}`;

/** Every secret reference in an output's options (any depth), as the compiler writes them. */
export function secretRefs(options: unknown): SecretRef[] {
  const out: SecretRef[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v !== 'object' || depth > 16) return;
    if (isSecretOption(v)) {
      out.push(v.secret);
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth + 1);
  };
  walk(options, 0);
  return out;
}
