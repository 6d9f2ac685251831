// List+watch into an object cache: paginated list, watch from the list's resourceVersion with
// bookmarks, re-list after a capped exponential backoff on any error or 410 Gone, and a periodic
// resync that re-delivers every cached object to the handler (level-triggered safety net).
// `transform` may shrink objects before caching (Secrets keep their key names only); managedFields
// are always dropped.
import type { KubeClient, KubeObject } from './client.ts';
import { KubeError } from './client.ts';
import { collectionPath, keyOf, type ResourceType } from './resources.ts';

export type InformerEvent = 'add' | 'update' | 'delete' | 'resync';

export interface InformerOptions {
  rt: ResourceType;
  /** Only this namespace (undefined = all). */
  namespace?: string;
  labelSelector?: string;
  resyncMs?: number;
  transform?: (o: KubeObject) => KubeObject;
  onEvent: (ev: InformerEvent, o: KubeObject, old?: KubeObject) => void;
  onError?: (err: Error) => void;
  /** Backoff bounds (tests inject small ones). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class Informer {
  readonly cache = new Map<string, KubeObject>();
  private readonly client: KubeClient;
  private readonly opts: InformerOptions;
  private abort: AbortController | undefined;
  private stopped = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private syncedResolve: (() => void) | undefined;
  /** Resolves once the first list has filled the cache. */
  readonly synced: Promise<void>;
  hasSynced = false;
  restarts = 0;
  /**
   * Since when an open request (a list, or a watch) has heard nothing from the apiserver (no page,
   * no event, no bookmark); undefined between requests. The apiserver sends a bookmark about every
   * minute and ends every watch within its timeoutSeconds, so a long silence means a connection
   * that died without closing: the informer is wedged and /healthz says so (silentMs).
   */
  private quietSince: number | undefined;

  constructor(client: KubeClient, opts: InformerOptions) {
    this.client = client;
    this.opts = opts;
    this.synced = new Promise((r) => {
      this.syncedResolve = r;
    });
  }

  get name(): string {
    return this.opts.rt.plural;
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  get(name: string, namespace?: string): KubeObject | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  start(): void {
    void this.loop();
    const every = this.opts.resyncMs ?? 0;
    if (every > 0) {
      this.resyncTimer = setInterval(() => {
        for (const o of this.cache.values()) this.opts.onEvent('resync', o);
      }, every);
      this.resyncTimer.unref();
    }
  }

  /** How long an open request has been silent (0 when none is open). */
  silentMs(now = Date.now()): number {
    return this.quietSince === undefined ? 0 : now - this.quietSince;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    this.abort?.abort();
  }

  private async listAll(): Promise<string> {
    const path = collectionPath(this.opts.rt, this.opts.namespace);
    const fresh = new Map<string, KubeObject>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.request<{
        items: KubeObject[];
        metadata: { continue?: string; resourceVersion: string };
      }>('GET', path, { query: { limit: 500, continue: cont, labelSelector: this.opts.labelSelector } });
      this.quietSince = Date.now();
      for (const item of page.items) {
        // list items carry no apiVersion/kind
        const o = this.shape({ ...item, apiVersion: this.opts.rt.apiVersion, kind: this.opts.rt.kind });
        fresh.set(keyOf(o), o);
      }
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion;
    } while (cont);
    // Reconcile the cache with the fresh list: deletions missed while disconnected are delivered.
    for (const [k, old] of this.cache)
      if (!fresh.has(k)) {
        this.cache.delete(k);
        this.opts.onEvent('delete', old);
      }
    for (const [k, o] of fresh) this.upsert(k, o);
    return rv;
  }

  private shape(o: KubeObject): KubeObject {
    // managedFields are never read and are often the largest part of an object: thousands of
    // cached pipelines would carry them for nothing.
    const slim = withoutManagedFields(o);
    return this.opts.transform ? this.opts.transform(slim) : slim;
  }

  private upsert(k: string, o: KubeObject): void {
    const old = this.cache.get(k);
    if (old?.metadata.resourceVersion === o.metadata.resourceVersion && old !== undefined) return;
    this.cache.set(k, o);
    this.opts.onEvent(old ? 'update' : 'add', o, old);
  }

  private async loop(): Promise<void> {
    const min = this.opts.minBackoffMs ?? 500;
    const max = this.opts.maxBackoffMs ?? 30_000;
    let backoff = min;
    let rv = '';
    while (!this.stopped) {
      this.quietSince = Date.now();
      try {
        if (!rv) {
          rv = await this.listAll();
          if (!this.hasSynced) {
            this.hasSynced = true;
            this.syncedResolve?.();
          }
        }
        this.abort = new AbortController();
        let gone = false;
        await this.client.watch(
          collectionPath(this.opts.rt, this.opts.namespace),
          {
            resourceVersion: rv,
            allowWatchBookmarks: true,
            labelSelector: this.opts.labelSelector,
            timeoutSeconds: 300 + Math.floor(Math.random() * 60),
          },
          (type, obj) => {
            this.quietSince = Date.now();
            if (type === 'ERROR') {
              if ((obj as unknown as { code?: number }).code === 410) gone = true;
              return;
            }
            rv = obj.metadata.resourceVersion ?? rv;
            if (type === 'BOOKMARK') return;
            const o = this.shape(obj);
            const k = keyOf(o);
            if (type === 'DELETED') {
              const old = this.cache.get(k);
              this.cache.delete(k);
              this.opts.onEvent('delete', old ?? o);
            } else this.upsert(k, o);
            backoff = min;
          },
          this.abort.signal,
        );
        if (gone) rv = '';
      } catch (e) {
        this.quietSince = undefined;
        if (this.stopped) return;
        if (e instanceof KubeError && e.status === 410) rv = '';
        else {
          this.restarts++;
          this.opts.onError?.(e as Error);
          rv = '';
          await new Promise((r) => setTimeout(r, backoff).unref());
          backoff = Math.min(backoff * 2, max);
        }
      }
    }
  }
}

/** The object without metadata.managedFields (for every cache: nothing reads them). */
export function withoutManagedFields(o: KubeObject): KubeObject {
  if (!o.metadata || !('managedFields' in o.metadata)) return o;
  const { managedFields: _, ...metadata } = o.metadata as KubeObject['metadata'] & {
    managedFields?: unknown;
  };
  return { ...o, metadata };
}
