// Token bucket per pod or per namespace: a noisy pod cannot starve the others of the pipeline.
import type { LogRecord } from '../record/record.ts';

export function makeThrottle(
  rate: number,
  per: 'pod' | 'namespace',
  burst = rate,
  now: () => number = Date.now,
): (r: LogRecord) => boolean {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (r) => {
    const key = per === 'pod' ? r.source.podKey : r.source.namespace;
    const t = now();
    let b = buckets.get(key);
    if (b === undefined) {
      if (buckets.size > 10_000) buckets.clear();
      b = { tokens: burst, at: t };
      buckets.set(key, b);
    } else {
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) * rate) / 1000);
      b.at = t;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  };
}
