import { describe, expect, test } from '@jest/globals';
import { NamespaceRateCaps } from './rate-caps.ts';

describe('namespace rate caps', () => {
  test('pipelines of one namespace share one bucket of one second; time refills it; other namespaces are apart', () => {
    let now = 1000;
    const caps = new NamespaceRateCaps(() => now);
    const p1 = caps.take('shop', 10);
    const p2 = caps.take('shop', 10);
    const other = caps.take('other', 10);
    let passed = 0;
    for (let i = 0; i < 20; i++) if ((i % 2 ? p1 : p2)()) passed++;
    expect(passed).toBe(10);
    expect(other()).toBe(true);
    now += 500;
    passed = 0;
    for (let i = 0; i < 20; i++) if (p1()) passed++;
    expect(passed).toBe(5);
  });

  test('the bucket survives a reload at the same rate; a new rate starts a new one', () => {
    const now = 0;
    const caps = new NamespaceRateCaps(() => now);
    const a = caps.take('shop', 2);
    expect([a(), a(), a()]).toEqual([true, true, false]);
    expect(caps.take('shop', 2)()).toBe(false);
    expect(caps.take('shop', 3)()).toBe(true);
  });
});
