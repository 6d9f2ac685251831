// The platform's records-per-second cap per namespace (pipeline config namespaceRecordsPerSecond,
// compiled by the operator from its tenancy policy): one token bucket per namespace on this agent,
// shared by every pipeline of that namespace, so a tenant cannot multiply its rate by writing more
// pipelines. The bucket holds one second of the rate, and survives reloads: a pipeline restarted
// by a config change does not get a fresh second.

export class NamespaceRateCaps {
  private readonly buckets = new Map<string, { rate: number; tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** The test a pipeline of `namespace` runs per record: false when the record is over the cap. */
  take(namespace: string, rate: number): () => boolean {
    let b = this.buckets.get(namespace);
    if (b === undefined || b.rate !== rate) {
      b = { rate, tokens: rate, at: this.now() };
      this.buckets.set(namespace, b);
    }
    const bucket = b;
    const now = this.now;
    return () => {
      const t = now();
      if (t !== bucket.at) {
        bucket.tokens = Math.min(bucket.rate, bucket.tokens + ((t - bucket.at) * bucket.rate) / 1000);
        bucket.at = t;
      }
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    };
  }

  /** Forget namespaces no running pipeline caps any more. */
  retain(namespaces: Set<string>): void {
    for (const ns of this.buckets.keys()) if (!namespaces.has(ns)) this.buckets.delete(ns);
  }
}
