import { describe, expect, test } from '@jest/globals';
import { eventOf } from '../../../agent/src/record/record.ts';
import { s3Encoder } from './encode.ts';

const line = (ns: string, n: number) =>
  JSON.stringify({
    timestamp: '2025-01-02T03:04:05.000000001Z',
    kubernetes: { namespace: ns },
    message: `m${n}`,
  });

describe('s3 encoder', () => {
  const enc = s3Encoder({ bucket: 'b', keyPrefix: '{{ kubernetes.namespace }}/%Y/%m/%d/%H/' });
  test('one object per key prefix, NDJSON in record order', () => {
    const r = enc.encode([eventOf(line('shop', 1)), eventOf(line('ops', 2)), eventOf(line('shop', 3))]);
    expect(r.objects.map((o) => o.events)).toEqual([[0, 2], [1]]);
    expect(r.objects[0]!.key).toMatch(/^shop\/2025\/01\/02\/03\/20250102T030000Z-[0-9a-f]{32}\.ndjson\.gz$/);
    expect(r.objects[0]!.body.toString()).toBe(`${line('shop', 1)}\n${line('shop', 3)}\n`);
  });
  test('the key is deterministic: the same records give the same key, others another', () => {
    const a = enc.encode([eventOf(line('shop', 1))]).objects[0]!.key;
    expect(enc.encode([eventOf(line('shop', 1))]).objects[0]!.key).toBe(a);
    expect(enc.encode([eventOf(line('shop', 2))]).objects[0]!.key).not.toBe(a);
  });
  test('missing fields and unsafe characters do not break keys', () => {
    const r = s3Encoder({
      bucket: 'b',
      keyPrefix: '/{{ kubernetes.labels.x }}//{{ kubernetes.pod }}/',
      compression: 'none',
    }).encode([eventOf(JSON.stringify({ kubernetes: { pod: 'a{b}' } }))]);
    expect(r.objects[0]!.key).toMatch(/^unknown\/a_b_\/\d{8}T\d{6}Z-[0-9a-f]{32}\.ndjson$/);
  });
});
