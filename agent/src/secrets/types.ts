// Secrets reach the agent as references `{secret: {namespace, name, key}}` in its config (the
// operator never copies values). A SecretStore turns a reference into the current value and tells
// its subscribers when a referenced Secret changed, so a sink rebuilds its connection with the
// rotated credential without a restart.

export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

/** An option value that is a secret reference, as the compiler writes it. */
export interface SecretOption {
  secret: SecretRef;
}

export interface SecretStore {
  /** The current value; rejects with SecretError when the Secret or key is missing or unreadable. */
  get(ref: SecretRef): Promise<string>;
  /** `cb` runs after the data of any Secret read through this store changed. Returns unsubscribe. */
  onChange(cb: () => void): () => void;
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
