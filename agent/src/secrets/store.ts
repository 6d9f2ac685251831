// One caching SecretStore over a fetch function (the apiserver, or a local directory): the first
// get of a Secret reads it, then every Secret read so far is re-read when the source signals a
// change (an apiserver watch) and every `refreshMs` regardless; a change of its data notifies the
// subscribers of that Secret only (an output subscribes to the Secrets its options reference, so a
// rotation reconnects exactly the outputs using it). A failed re-read keeps the last good value (a flapping
// apiserver must not take credentials away from a working connection).
import { refText, SecretError, type SecretRef, type SecretStore, secretKey } from './types.ts';

/** Resolves the data of one Secret, undefined when it does not exist; throws on other failures. */
export type FetchSecret = (namespace: string, name: string) => Promise<Record<string, string> | undefined>;

/**
 * Optional push of changes: called once per Secret after its first read; calls `changed` whenever
 * the source says it changed (the store then re-reads it). Returns a stop function.
 */
export type WatchSecret = (namespace: string, name: string, changed: () => void) => () => void;

interface Entry {
  data: Record<string, string> | undefined;
  text: string;
  error: string | undefined;
  loaded: Promise<void> | undefined;
  /** A read has completed (found, missing or failed): later differences are changes. */
  settled: boolean;
}

export class CachingSecretStore implements SecretStore {
  private readonly fetch: FetchSecret;
  private readonly entries = new Map<string, Entry>();
  /** `namespace/name` → the callbacks of the outputs referencing that Secret. */
  private readonly subscribers = new Map<string, Set<() => void>>();
  private readonly timer: NodeJS.Timeout;
  private readonly describe: string;

  private readonly watchSecret: WatchSecret | undefined;
  private readonly stops: (() => void)[] = [];

  constructor(fetch: FetchSecret, refreshMs: number, describe: string, watch?: WatchSecret) {
    this.fetch = fetch;
    this.describe = describe;
    this.watchSecret = watch;
    this.timer = setInterval(() => void this.refresh(), refreshMs);
    this.timer.unref();
  }

  private async load(key: string, entry: Entry): Promise<void> {
    const [ns, name] = key.split('/') as [string, string];
    try {
      const data = await this.fetch(ns, name);
      const text = data === undefined ? '' : JSON.stringify(Object.entries(data).sort());
      // The first read is no change (it used to notify, rebuilding the connection it was made for).
      const changed = entry.settled && text !== entry.text;
      entry.data = data;
      entry.text = text;
      entry.error = undefined;
      entry.settled = true;
      if (changed) for (const cb of this.subscribers.get(key) ?? []) cb();
    } catch (e) {
      entry.error = (e as Error).message;
      entry.settled = true;
    }
  }

  async get(ref: SecretRef): Promise<string> {
    const key = secretKey(ref);
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { data: undefined, text: '', error: undefined, loaded: undefined, settled: false };
      this.entries.set(key, entry);
      const e = entry;
      entry.loaded = this.load(key, e);
      if (this.watchSecret !== undefined)
        this.stops.push(this.watchSecret(ref.namespace, ref.name, () => void this.load(key, e)));
    }
    await entry.loaded;
    if (entry.data === undefined) {
      // Not found (or never readable): try again now, a fix should not wait for the next refresh.
      await this.load(key, entry);
    }
    if (entry.data === undefined)
      throw new SecretError(
        ref,
        entry.error !== undefined
          ? `cannot read ${refText(ref)} from ${this.describe}: ${entry.error}`
          : `${refText(ref)}: the Secret does not exist in ${this.describe}; create it`,
      );
    const v = entry.data[ref.key];
    if (v === undefined)
      throw new SecretError(
        ref,
        `${refText(ref)}: the Secret has no such key (it has: ${Object.keys(entry.data).sort().join(', ') || 'none'})`,
      );
    return v;
  }

  private async refresh(): Promise<void> {
    await Promise.all([...this.entries].map(([key, entry]) => this.load(key, entry)));
  }

  onChange(refs: readonly SecretRef[], cb: () => void): () => void {
    // A Set per Secret: an output referencing two keys of one Secret is called once per change.
    const keys = [...new Set(refs.map(secretKey))];
    for (const k of keys) {
      let subs = this.subscribers.get(k);
      if (subs === undefined) {
        subs = new Set();
        this.subscribers.set(k, subs);
      }
      subs.add(cb);
    }
    return () => {
      for (const k of keys) {
        const subs = this.subscribers.get(k);
        subs?.delete(cb);
        if (subs?.size === 0) this.subscribers.delete(k);
      }
    };
  }

  close(): void {
    clearInterval(this.timer);
    for (const stop of this.stops.splice(0)) stop();
    this.subscribers.clear();
  }
}
