// The identity of an agent config: the operator stamps it on the DaemonSet and the ConfigMap, the
// agent reports the one it runs, and status compares the two. Key order does not matter.
import { createHash } from 'node:crypto';
import type { AgentConfig } from './types.ts';

/** Canonical JSON (sorted keys, undefined left out): what `configHash` hashes. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Stable hash of a config: 16 hex digits of SHA-256 over its canonical JSON. */
export function configHash(config: AgentConfig): string {
  return createHash('sha256').update(canonical(config)).digest('hex').slice(0, 16);
}
