// The disk buffer on a real, full filesystem: a 1 MiB tmpfs mounted for the test is filled until
// ENOSPC while records arrive. Nothing is acknowledged (ack hold released) before it is in the WAL,
// a write cut short by ENOSPC leaves no torn bytes behind, the condition is counted and reaches the
// operator's report; once space returns every record is written and read back exactly once
// (whenFull: block), or dropped and counted (whenFull: dropNewest). Needs root (mount); no server.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { DiskBuffer } from '../../agent/src/buffer/disk/index.ts';
import { scanSegment } from '../../agent/src/buffer/disk/recover.ts';
import type { AckGroup } from '../../agent/src/checkpoint/acks.ts';
import { makeMetrics } from '../../agent/src/ops/metrics.ts';
import { buildReport } from '../../agent/src/ops/report.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { type Event, eventOf, eventText } from '../../agent/src/record/record.ts';
import { parseReport } from '../../contract/report.ts';
import { aggregateReports } from '../../operator/src/status/agents.ts';

const root = process.getuid?.() === 0;
// Mounting a tmpfs needs root; anything else cannot make a real ENOSPC without a server.
const suite = root ? describe : describe.skip;
if (!root) console.warn('disk-buffer-enospc: skipped, mounting a tmpfs needs root');

const OUT = 'LogOutput/shop/archive';

async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Events whose ack hold records when it is released (= acknowledged to the source). */
function makeEvents(from: number, n: number, acked: Set<number>): Event[] {
  const out: Event[] = [];
  for (let i = from; i < from + n; i++) {
    const group = {
      pending: 1,
      release() {
        expect(acked.has(i)).toBe(false); // released once
        acked.add(i);
      },
    } as unknown as AckGroup;
    out.push(eventOf(`{"n":${i},"pad":"${'x'.repeat(80)}"}`, group));
  }
  return out;
}

/** Fill the filesystem until the kernel says ENOSPC. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 0x61);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd); // deleting it must give the space back
  }
}

/** Records in the WAL segments as they are on disk, asserting no torn or damaged bytes. */
function walRecords(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.wal'))
    .sort()) {
    const buf = readFileSync(join(dir, name));
    const s = scanSegment(buf, 1 << 20);
    expect({ name, torn: s.torn, lost: s.lost }).toEqual({ name, torn: 0, lost: [] });
    for (const m of buf.toString('latin1').matchAll(/\{"n":(\d+),/g)) out.push(Number(m[1]));
  }
  return out;
}

async function readAll(b: DiskBuffer): Promise<number[]> {
  const out: number[] = [];
  b.drain();
  for (;;) {
    const batch = await b.read(1000, 1 << 20, 10);
    if (batch.length === 0) break;
    out.push(...batch.map((e) => Number(/"n":(\d+)/.exec(eventText(e))![1])));
    await b.commit(batch);
    if (b.bytes === 0) break;
  }
  return out;
}

suite('disk buffer on a full filesystem (real tmpfs)', () => {
  let base: string;
  let vol: string;
  let mounted = false;
  const open: DiskBuffer[] = [];

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'sluice-enospc-'));
    vol = join(base, 'vol');
    mkdirSync(vol);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', vol]);
    mounted = true;
  });
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
    if (mounted) execFileSync('umount', [vol]);
    mounted = false;
    rmSync(base, { recursive: true, force: true });
  });

  function start(whenFull: 'block' | 'dropNewest', stats: AgentStats): DiskBuffer {
    const b = new DiskBuffer({
      dir: join(vol, 'buffer'),
      maxBytes: 64 << 20, // far above the volume: only the filesystem says full
      whenFull,
      fsync: 'always',
      fsyncIntervalMs: 1000,
      segmentBytes: 256 << 10,
      stats: stats.output(OUT),
      log: (l, m, x) => process.env.DEBUG_ENOSPC && console.log(l, m, x),
      writeRetry: { minMs: 20, maxMs: 200, attempts: 3 },
    });
    open.push(b);
    return b;
  }

  test('whenFull block: reading pauses, nothing acknowledged early, everything durable once space returns', async () => {
    const stats = new AgentStats();
    const o = stats.output(OUT);
    const b = start('block', stats);
    const acked = new Set<number>();
    const pushAll = (evs: Event[]) => {
      for (const e of evs) expect(b.push(e)).toBe(true);
      b.flushProducer();
    };

    pushAll(makeEvents(0, 200, acked));
    await waitFor('the first 200 records written', () => acked.size === 200);
    expect(b.full).toBe(false);

    fill(join(vol, 'filler'));
    // Chunks keep coming until the pipeline sees `full` (here: every chunk, to push the point).
    for (let c = 0; c < 10; c++) pushAll(makeEvents(200 + c * 30, 30, acked));
    await waitFor('a write error counted', () => (o.bufferWriteErrors.get('no_space') ?? 0) >= 2);

    // Reading pauses: full, and a producer waiting for space is not woken while writes fail.
    expect(b.full).toBe(true);
    let woken = false;
    b.onSpace(() => {
      woken = true;
    });
    // Acknowledged = durable: every released record is in the WAL, whole; no torn bytes.
    const onDisk = walRecords(join(vol, 'buffer'));
    expect(new Set(onDisk)).toEqual(acked);
    expect(acked.size).toBeLessThan(500);
    expect(woken).toBe(false);
    // Status: the output's last error, through the report the operator sums.
    expect(o.lastError).toMatch(/ENOSPC.*takes no new records/);
    const figures = aggregateReports(
      [
        {
          metadata: {
            name: 'sluice-agent-n1',
            annotations: {
              'sluice.dev/config-hash': 'h',
              'sluice.dev/report': JSON.stringify(buildReport(stats)),
            },
          },
          spec: { renewTime: new Date().toISOString(), leaseDurationSeconds: 120 },
        } as never,
      ],
      Date.now(),
    ).outputs.get(OUT);
    expect(figures?.lastError).toMatch(/disk buffer write failed \(ENOSPC\)/);
    expect(parseReport(JSON.stringify(buildReport(stats)))?.o[OUT].e).toBeDefined();
    const metrics = await makeMetrics(stats).metrics();
    expect(metrics).toMatch(
      /sluice_buffer_write_errors_total\{output="LogOutput\/shop\/archive",reason="no_space"\} [1-9]/,
    );
    expect(o.drops.size).toBe(0); // block never drops

    // Space returns: the retries write everything, the producer is woken.
    rmSync(join(vol, 'filler'));
    await waitFor('all 500 records acknowledged', () => acked.size === 500);
    await waitFor('the producer woken', () => woken);
    expect(b.full).toBe(false);
    expect(b.writeFailing).toBe(false);

    // Exactly once, in order, from the WAL.
    const got = await readAll(b);
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(o.drops.size).toBe(0);

    // And a restart finds a clean WAL with nothing left to send.
    await b.close();
    const stats2 = new AgentStats();
    const again = start('block', stats2);
    expect(stats2.output(OUT).drops.size).toBe(0);
    expect(again.bytes).toBe(0);
  });

  test('whenFull dropNewest: after its retries a record is dropped and counted, never acknowledged as written', async () => {
    const stats = new AgentStats();
    const o = stats.output(OUT);
    const b = start('dropNewest', stats);
    const acked = new Set<number>();
    const pushAll = (evs: Event[]) => {
      for (const e of evs) expect(b.push(e)).toBe(true);
      b.flushProducer();
    };
    pushAll(makeEvents(0, 200, acked));
    await waitFor('the first 200 records written', () => acked.size === 200);

    fill(join(vol, 'filler'));
    pushAll(makeEvents(200, 100, acked));
    await waitFor(
      'every record either in the WAL or dropped and counted',
      () =>
        acked.size === 300 &&
        walRecords(join(vol, 'buffer')).length + (o.drops.get('buffer_write_failed') ?? 0) === 300,
    );
    expect(b.full).toBe(false); // dropNewest never pauses reading
    const dropped = o.drops.get('buffer_write_failed') ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(o.bufferWriteErrors.get('no_space')).toBeGreaterThanOrEqual(3);
    expect(buildReport(stats).o[OUT].x).toEqual({ buffer_write_failed: dropped });

    rmSync(join(vol, 'filler'));
    pushAll(makeEvents(300, 50, acked));
    await waitFor('the records after the outage written', () => acked.size === 350 && !b.writeFailing);
    const got = await readAll(b);
    // Nothing lost without a count, nothing twice: read + dropped = pushed.
    expect(new Set(got).size).toBe(got.length);
    expect(got.length + dropped).toBe(350);
    expect(got.slice(0, 200)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(got.slice(-50)).toEqual(Array.from({ length: 50 }, (_, i) => 300 + i));
  });
});
