// Pod and namespace metadata for enrichment, bounded in bytes. Pods are keyed by uid (the
// /var/log/pods directory names carry it); a deleted pod is kept `deletedTtlMs` so its last lines
// are still enriched; past the byte bound, deleted pods go first, then the oldest.
export interface PodMeta {
  uid: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  node?: string;
  owner?: { kind: string; name: string };
  /** container name → image */
  images: Record<string, string>;
}

export interface NamespaceMeta {
  name: string;
  labels: Record<string, string>;
}

interface Entry {
  pod: PodMeta;
  bytes: number;
  deletedAt: number;
  version: number;
}

export class MetadataStore {
  private readonly pods = new Map<string, Entry>();
  private readonly namespaces = new Map<string, NamespaceMeta>();
  private bytes = 0;
  /** Bumped on any change; sources compare it to refresh their cached fragment. */
  version = 0;
  private readonly maxBytes: number;
  private readonly deletedTtlMs: number;
  private readonly listeners = new Set<() => void>();

  constructor(maxBytes: number, deletedTtlMs: number) {
    this.maxBytes = maxBytes;
    this.deletedTtlMs = deletedTtlMs;
  }

  get size(): number {
    return this.pods.size;
  }
  get byteSize(): number {
    return this.bytes;
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  upsertPod(pod: PodMeta): void {
    const old = this.pods.get(pod.uid);
    if (old !== undefined) this.bytes -= old.bytes;
    const bytes = JSON.stringify(pod).length + 64;
    this.pods.set(pod.uid, { pod, bytes, deletedAt: 0, version: (old?.version ?? 0) + 1 });
    this.bytes += bytes;
    this.evict(Date.now());
    this.changed();
  }

  deletePod(uid: string, now = Date.now()): void {
    const e = this.pods.get(uid);
    if (e !== undefined && e.deletedAt === 0) e.deletedAt = now;
  }

  upsertNamespace(ns: NamespaceMeta): void {
    this.namespaces.set(ns.name, ns);
    this.changed();
  }

  pod(uid: string): PodMeta | undefined {
    return this.pods.get(uid)?.pod;
  }

  namespace(name: string): NamespaceMeta | undefined {
    return this.namespaces.get(name);
  }

  /**
   * Drop deleted pods past their TTL and enforce the byte bound. A dropped pod bumps `version`, so
   * sources stop writing its fields (their cached fragment would otherwise outlive it until the
   * next unrelated change).
   */
  evict(now: number): void {
    const before = this.pods.size;
    for (const [uid, e] of this.pods)
      if (e.deletedAt > 0 && now - e.deletedAt > this.deletedTtlMs) {
        this.pods.delete(uid);
        this.bytes -= e.bytes;
      }
    if (this.bytes > this.maxBytes) {
      for (const [uid, e] of this.pods) {
        if (this.bytes <= this.maxBytes) break;
        if (e.deletedAt > 0) {
          this.pods.delete(uid);
          this.bytes -= e.bytes;
        }
      }
      for (const [uid, e] of this.pods) {
        if (this.bytes <= this.maxBytes) break;
        this.pods.delete(uid);
        this.bytes -= e.bytes;
      }
    }
    if (this.pods.size !== before) this.version++;
  }
}
