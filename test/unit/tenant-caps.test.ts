// The agent's side of the tenant caps, on real files: a namespace's records-per-second cap
// (shared by its pipelines, drops counted as namespace_rate_cap, other namespaces untouched) and
// the node-wide buffer budget (a stuck output asking for a huge buffer holds only its scaled
// share, drops counted as node_buffer_budget, its sibling gets everything, the agent stays up).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import type { PipelineConfig } from '../../contract/agent-config/types.ts';
import { config, readOut, runOnce, T, tempDir, until, writeLog } from './agent-harness.ts';

const cri = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => `${T} stdout F ${tag} line ${i} ${'x'.repeat(150)}\n`).join('');
/** Complete lines of an output file being written (readOut would parse a half-written one). */
const written = (root: string, i: number): number => {
  try {
    return readFileSync(join(root, `out${i}.ndjson`), 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
};
const tenant = (ns: string): Partial<PipelineConfig> => ({
  kind: 'LogPipeline',
  namespace: ns,
  input: { namespaces: { include: [ns] } },
});

describe('namespace rate cap', () => {
  test("two pipelines of a capped namespace share its rate; the drops are counted; another namespace's pipeline loses nothing", async () => {
    const root = tempDir();
    const N = 5000;
    writeLog(root, 'noisy', 'spam', 'c', cri(N, 'noisy'));
    writeLog(root, 'victim', 'app', 'c', cri(N, 'victim'));
    const RATE = 200;
    const c = config(root, [
      { ...tenant('noisy'), namespaceRecordsPerSecond: RATE },
      // the string path (a filter) takes the same cap as the byte path
      {
        ...tenant('noisy'),
        namespaceRecordsPerSecond: RATE,
        filters: [{ add: { fields: { team: 'noisy' } } }],
      },
      tenant('victim'),
    ]);
    const started = Date.now();
    const { stats } = await runOnce(c);
    const seconds = (Date.now() - started) / 1000;

    const noisy = readOut(root, 0).length + readOut(root, 1).length;
    const dropped = ['p0', 'p1'].reduce(
      (a, id) => a + (stats.pipelines.get(id)!.drops.get('namespace_rate_cap') ?? 0),
      0,
    );
    // One bucket for both: a second's worth at start, then the rate; not one bucket each.
    expect(noisy).toBeGreaterThanOrEqual(RATE);
    expect(noisy).toBeLessThanOrEqual(RATE + Math.ceil(RATE * seconds) + 1);
    // Every record of the capped namespace is either delivered or counted.
    expect(noisy + dropped).toBe(2 * N);
    expect(dropped).toBeGreaterThan(0);
    // The uncapped namespace: everything, nothing dropped.
    expect(readOut(root, 2).length).toBe(N);
    expect(stats.pipelines.get('p2')!.drops.size).toBe(0);
  });
});

describe('node-wide buffer budget', () => {
  test('a stuck output asking for 64Mi holds only its scaled share and counts drops as node_buffer_budget; its sibling gets every record', async () => {
    const root = tempDir();
    const N = 5000; // ~0.9 MB of events
    writeLog(root, 'shop', 'app', 'c', cri(N, 'shop'));
    // o1 writes below a path that is a regular file: every write fails (ENOTDIR), it never drains.
    const blocker = join(root, 'blocked');
    writeFileSync(blocker, 'not a directory');
    const BUDGET = 256 * 1024;
    const c = config(root, [{}], { bufferBudget: { memoryBytes: BUDGET } });
    c.pipelines[0]!.outputs = ['o0', 'o1'];
    c.outputs[0]!.buffer = { maxSize: 64 * 1024 * 1024 };
    c.outputs[0]!.batch = { maxAgeMs: 20 };
    c.outputs.push({
      id: 'o1',
      type: 'file',
      options: { path: join(blocker, 'out.ndjson') },
      buffer: { maxSize: 64 * 1024 * 1024, whenFull: 'dropNewest' },
      retry: { initialBackoffMs: 50, maxBackoffMs: 200 },
    });
    const stats = new AgentStats();
    const rt = new Runtime({ stats, log: () => {} });
    try {
      await rt.apply(c, configHash(c));
      const o1 = () => stats.outputs.get('o1');
      await until(
        'o0 delivered every record and o1 took or dropped every one',
        () => written(root, 0) === N && (o1()?.recordsIn ?? 0) === N,
      );
      const status = rt.status() as {
        outputs: {
          id: string;
          bufferedBytes: number;
          bufferMaxBytes: number;
          bufferAskedBytes?: number;
          bufferScaledBy?: string;
        }[];
      };
      const s1 = status.outputs.find((o) => o.id === 'o1')!;
      // Two outputs of 64Mi each under a 256Ki budget: 128Ki each.
      expect(s1.bufferMaxBytes).toBe(BUDGET / 2);
      expect(s1.bufferAskedBytes).toBe(64 * 1024 * 1024);
      expect(s1.bufferScaledBy).toBe('node_buffer_budget');
      expect(s1.bufferedBytes).toBeLessThanOrEqual(BUDGET / 2);
      const drops = o1()!.drops.get('node_buffer_budget') ?? 0;
      expect(drops).toBeGreaterThan(N / 2);
      expect(o1()!.drops.get('buffer_full')).toBeUndefined();
      expect(stats.bufferBudget.memory).toEqual({ budget: BUDGET, asked: 128 * 1024 * 1024 });
    } finally {
      await rt.shutdown(2000);
    }
  });
});
