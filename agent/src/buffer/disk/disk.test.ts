// Disk buffer recovery: a torn or corrupted last segment is truncated, counted, never fatal.

import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { OutputStats } from '../../ops/stats.ts';
import { eventOf, eventText } from '../../record/record.ts';
import { DiskBuffer } from './index.ts';

const open = (dir: string, stats = new OutputStats()) =>
  new DiskBuffer({
    dir,
    maxBytes: 1 << 20,
    whenFull: 'block',
    fsync: 'always',
    fsyncIntervalMs: 1000,
    stats,
    log: () => {},
  });

async function fill(dir: string, n: number): Promise<void> {
  const b = open(dir);
  for (let i = 0; i < n; i++) b.push(eventOf(`{"n":${i}}`));
  b.flushProducer();
  await b.close();
}

async function readAll(b: DiskBuffer): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const p = b.read(1000, 1 << 20, 10);
    const batch = await Promise.race([p, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (batch === null || batch.length === 0) break;
    out.push(...batch.map(eventText));
    await b.commit(batch);
  }
  return out;
}

describe('DiskBuffer', () => {
  test('survives a restart; delivered records are not repeated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-disk-'));
    await fill(dir, 10);
    const b = open(dir);
    expect(await readAll(b)).toHaveLength(10);
    await b.close();
    const again = open(dir);
    expect(await readAll(again)).toHaveLength(0);
    await again.close();
  });

  test.each([
    ['torn tail', (f: string) => appendFileSync(f, Buffer.from([5, 0, 0, 0, 1]))],
    [
      'corrupted last frame',
      (f: string) => {
        const b = readFileSync(f);
        b[b.length - 2] ^= 0xff;
        writeFileSync(f, b);
      },
    ],
    ['garbage length', (f: string) => appendFileSync(f, Buffer.from([0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]))],
  ])('%s: recovers, counts the loss, keeps the good records', async (_name, damage) => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-disk-'));
    await fill(dir, 20);
    const seg = join(dir, readdirSync(dir).find((n) => n.endsWith('.wal'))!);
    damage(seg);
    const stats = new OutputStats();
    const b = open(dir, stats);
    const got = await readAll(b);
    await b.close();
    expect(got.length).toBeGreaterThanOrEqual(19);
    expect(got[0]).toBe('{"n":0}');
    // a torn tail (never acknowledged) is not a loss; a failed checksum is counted
    if (_name !== 'torn tail') expect(stats.drops.get('buffer_corrupted')).toBeGreaterThanOrEqual(1);
    // and a second start is clean
    const stats2 = new OutputStats();
    const again = open(dir, stats2);
    await again.close();
    expect(stats2.drops.size).toBe(0);
  });
});

test('a record larger than the batch byte limit is still read (regression: it stalled the buffer)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-disk-'));
  const b = open(dir);
  const big = `{"big":"${'x'.repeat(200_000)}"}`;
  b.push(eventOf(big));
  b.push(eventOf('{"n":1}'));
  b.flushProducer();
  const got: string[] = [];
  for (let i = 0; i < 5 && got.length < 2; i++) {
    const batch = await Promise.race([
      b.read(1000, 1024, 10),
      new Promise<null>((r) => setTimeout(() => r(null), 200)),
    ]);
    if (batch === null) continue;
    got.push(...batch.map(eventText));
    await b.commit(batch);
  }
  await b.close();
  expect(got).toEqual([big, '{"n":1}']);
});

test('a damaged frame in the middle is cut out; the frames after it are kept and counted once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-disk-'));
  await fill(dir, 20);
  const seg = join(dir, readdirSync(dir).find((n) => n.endsWith('.wal'))!);
  const b = readFileSync(seg);
  b[b.indexOf('{"n":7}') + 3] ^= 0xff; // flip a payload byte of record 7: its checksum fails
  writeFileSync(seg, b);
  const stats = new OutputStats();
  const buf = open(dir, stats);
  const got = await readAll(buf);
  await buf.close();
  expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `{"n":${i}}`).filter((x) => x !== '{"n":7}'));
  expect(stats.drops.get('buffer_corrupted')).toBe(1);
  expect(stats.corruptedBytes).toBe(8 + '{"n":7}'.length);
});
