// The metadata cache is bounded in bytes: deleted pods go first, then the oldest; a deleted pod
// is held for its TTL.
import { describe, expect, test } from '@jest/globals';
import { MetadataStore, type PodMeta } from './store.ts';

const pod = (uid: string, pad = 0): PodMeta => ({
  uid,
  name: uid,
  namespace: 'ns',
  labels: { pad: 'x'.repeat(pad) },
  annotations: {},
  images: {},
});

describe('MetadataStore', () => {
  test('never holds more than its byte bound; deleted pods are evicted first', () => {
    const s = new MetadataStore(4000, 60_000);
    for (let i = 0; i < 10; i++) s.upsertPod(pod(`p${i}`, 300));
    expect(s.byteSize).toBeLessThanOrEqual(4000);
    const kept = s.size;
    expect(kept).toBeGreaterThan(5);
    expect(s.pod('p9')).toBeDefined();
    expect(s.pod('p0')).toBeUndefined(); // the oldest went
    s.deletePod('p9');
    s.upsertPod(pod('new', 300));
    expect(s.pod('p9')).toBeUndefined(); // deleted before live ones
    expect(s.pod('new')).toBeDefined();
    expect(s.byteSize).toBeLessThanOrEqual(4000);
  });

  test('a deleted pod is held for the TTL, then evicted', () => {
    const s = new MetadataStore(1 << 20, 1000);
    s.upsertPod(pod('a'));
    s.deletePod('a', 10_000);
    const v = s.version;
    s.evict(10_500);
    expect(s.pod('a')).toBeDefined();
    expect(s.version).toBe(v); // nothing dropped: sources keep their cached fragment
    s.evict(11_001);
    expect(s.pod('a')).toBeUndefined();
    expect(s.byteSize).toBe(0);
    expect(s.version).toBeGreaterThan(v); // sources rebuild theirs without the pod
  });
});
