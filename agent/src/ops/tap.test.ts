// The tap's subscriber queue: sampling, the limit, drop-and-count for a slow reader (told inline and
// in the final line), the subscriber cap, and a pipeline that never waits for a reader.
import { describe, expect, test } from '@jest/globals';
import { TapHub, type TapSink } from './tap.ts';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A reader whose write() says "full" while `blocked`, like a socket with a slow client. */
interface Reader {
  blocked: boolean;
  ended: boolean;
  sink: TapSink;
  unblock(): void;
  lines(): Record<string, unknown>[];
}

function reader(): Reader {
  const chunks: string[] = [];
  let drain: (() => void) | undefined;
  const r: Reader = {
    blocked: false,
    ended: false,
    sink: {
      write(b) {
        chunks.push(b.toString());
        return !r.blocked;
      },
      onDrain(cb) {
        drain = cb;
      },
      end(b) {
        chunks.push(b.toString());
        r.ended = true;
      },
    } as TapSink,
    unblock() {
      r.blocked = false;
      const d = drain;
      drain = undefined;
      d?.();
    },
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
  return r;
}

const rec = (i: number) => Buffer.from(`xx{"i":${i}}yy`);
const offer = (hub: TapHub, id: string, i: number) => {
  const b = rec(i);
  const p = hub.point(id);
  if (p.subs.length !== 0) p.offer(b, 2, b.length - 4);
};

describe('tap subscribers', () => {
  test('a record is copied out of the arena and newline-terminated; the limit ends the stream', async () => {
    const hub = new TapHub();
    const r = reader();
    hub.subscribe({ pipeline: 'p', limit: 3, every: 1, sink: r.sink });
    for (let i = 0; i < 5; i++) offer(hub, 'p', i);
    // Detached at the limit: the pipeline stops paying for this subscriber at once.
    expect(hub.point('p').subs).toHaveLength(0);
    expect(hub.stats.subscribers).toBe(0);
    await tick();
    expect(r.lines()).toEqual([
      { i: 0 },
      { i: 1 },
      { i: 2 },
      { sluice_tap: { end: 'limit', records: 3, missed: 0 } },
    ]);
    expect(r.ended).toBe(true);
    expect(hub.stats.sent.get('p')).toBe(3);
  });

  test('sample=N keeps one record in N; other pipelines are not seen', async () => {
    const hub = new TapHub();
    const r = reader();
    const s = hub.subscribe({ pipeline: 'p', limit: 0, every: 3, sink: r.sink })!;
    for (let i = 0; i < 9; i++) {
      offer(hub, 'p', i);
      offer(hub, 'q', 100 + i);
    }
    await tick();
    s.finish('closed');
    expect(r.lines()).toEqual([
      { i: 0 },
      { i: 3 },
      { i: 6 },
      { sluice_tap: { end: 'closed', records: 3, missed: 0 } },
    ]);
  });

  test('a slow reader misses records (counted), is told how many, and never blocks the offer', async () => {
    const hub = new TapHub();
    const r = reader();
    r.blocked = true;
    const s = hub.subscribe({ pipeline: 'p', limit: 0, every: 1, sink: r.sink, queueRecords: 4 })!;
    offer(hub, 'p', 0);
    await tick(); // written; the reader is now "full" and waits for drain
    for (let i = 1; i <= 10; i++) offer(hub, 'p', i); // 4 queued, 6 missed, synchronously
    expect(s.missed).toBe(6);
    expect(hub.stats.dropped.get('p')).toBe(6);
    r.unblock();
    await tick();
    offer(hub, 'p', 11);
    await tick();
    s.finish('closed');
    expect(r.lines()).toEqual([
      { i: 0 },
      { sluice_tap: { missed: 6 } },
      { i: 1 },
      { i: 2 },
      { i: 3 },
      { i: 4 },
      { i: 11 },
      { sluice_tap: { end: 'closed', records: 6, missed: 6 } },
    ]);
  });

  test('the byte bound drops too', async () => {
    const hub = new TapHub();
    const r = reader();
    const s = hub.subscribe({ pipeline: 'p', limit: 0, every: 1, sink: r.sink, queueBytes: 20 })!;
    for (let i = 0; i < 5; i++) offer(hub, 'p', i); // 8 bytes each with the newline: 2 fit
    expect(s.missed).toBe(3);
    await tick();
    s.finish('closed');
    expect(r.lines().slice(0, 3)).toEqual([{ sluice_tap: { missed: 3 } }, { i: 0 }, { i: 1 }]);
  });

  test('subscribers are capped per agent; a finished one frees its place', () => {
    const hub = new TapHub(undefined, 2);
    const a = hub.subscribe({ pipeline: 'p', limit: 0, every: 1, sink: reader().sink });
    expect(hub.subscribe({ pipeline: 'q', limit: 0, every: 1, sink: reader().sink })).toBeDefined();
    expect(hub.subscribe({ pipeline: 'p', limit: 0, every: 1, sink: reader().sink })).toBeUndefined();
    a!.finish('closed');
    expect(hub.stats.subscribers).toBe(1);
    expect(hub.subscribe({ pipeline: 'p', limit: 0, every: 1, sink: reader().sink })).toBeDefined();
  });

  test('two subscribers share one copy; shutdown ends every stream with a final line', async () => {
    const hub = new TapHub();
    const r1 = reader();
    const r2 = reader();
    hub.subscribe({ pipeline: 'p', limit: 0, every: 1, sink: r1.sink });
    hub.subscribe({ pipeline: 'p', limit: 0, every: 1, sink: r2.sink });
    offer(hub, 'p', 7);
    await tick();
    hub.close();
    for (const r of [r1, r2])
      expect(r.lines()).toEqual([{ i: 7 }, { sluice_tap: { end: 'shutdown', records: 1, missed: 0 } }]);
    expect(hub.stats.subscribers).toBe(0);
  });

  test('the limit waits for a slow reader to take the last records before the final line', async () => {
    const hub = new TapHub();
    const r = reader();
    r.blocked = true;
    hub.subscribe({ pipeline: 'p', limit: 2, every: 1, sink: r.sink });
    offer(hub, 'p', 0);
    await tick();
    offer(hub, 'p', 1);
    await tick();
    expect(r.ended).toBe(false);
    r.unblock();
    await tick();
    expect(r.lines()).toEqual([{ i: 0 }, { i: 1 }, { sluice_tap: { end: 'limit', records: 2, missed: 0 } }]);
  });
});
