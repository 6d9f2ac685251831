// The Secret values one output's connection is built with. The output subscribes to exactly the
// Secrets its options reference (never another output's), remembers each value it read for the
// live connection, and on a change rebuilds only when one of those values now differs: a rotation
// of another key of the same Secret, a re-read returning the same data, or a Secret that appeared
// while this very connection was being built (its read already got the new value) cost nothing.
import type { SecretRef, SecretStore } from '../../secrets/types.ts';
import { secretRefs } from '../../secrets/types.ts';

const refId = (r: SecretRef) => `${r.namespace}/${r.name}/${r.key}`;

export class Credentials {
  private readonly store: SecretStore;
  private readonly unsubscribe: () => void;
  /** Values the current connection was built with. */
  private readonly used = new Map<string, { ref: SecretRef; value: string }>();
  private stale = false;
  private wake: (() => void) | undefined;

  constructor(options: unknown, store: SecretStore) {
    this.store = store;
    this.unsubscribe = store.onChange(secretRefs(options), () => {
      this.stale = true;
      this.wake?.();
    });
  }

  /** `wake` runs when a referenced Secret changed (the driver then retries at once). */
  onChange(wake: () => void): void {
    this.wake = wake;
  }

  /** A new connection is being built: the values it reads replace the remembered ones. */
  begin(): void {
    this.used.clear();
  }

  /** The current value, remembered as used by the connection being built. Throws SecretError. */
  async get(ref: SecretRef): Promise<string> {
    const value = await this.store.get(ref);
    this.used.set(refId(ref), { ref, value });
    return value;
  }

  /**
   * True when a referenced Secret changed since the last call and a value the live connection
   * uses is now different or unreadable (the rebuild then reports the SecretError). Re-reads go
   * through the store's cache, already refreshed by the change.
   */
  async changed(): Promise<boolean> {
    if (!this.stale) return false;
    this.stale = false;
    for (const { ref, value } of this.used.values()) {
      const now = await this.store.get(ref).catch(() => undefined);
      if (now !== value) return true;
    }
    return false;
  }

  close(): void {
    this.unsubscribe();
  }
}
