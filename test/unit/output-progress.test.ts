// Per-output progress on real files: each output of a pipeline resumes from what it acknowledged
// itself, so an output that delivered everything is not sent it again because a sibling was stuck.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import type { Checkpoint } from '../../agent/src/checkpoint/store.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import type { AgentConfig, OutputConfig } from '../../contract/agent-config/types.ts';
import { config, readOut, runOnce, T, tempDir, until, writeLog } from './agent-harness.ts';

const repo = join(import.meta.dirname, '../..');
const pinned = join(repo, 'node_modules/.bin/node');
const node = existsSync(pinned) ? pinned : process.execPath;

const cri = (lines: string[]) => lines.map((l) => `${T} stdout F ${l}\n`).join('');

function checkpoint(root: string): Checkpoint | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(root, 'data', 'checkpoints.json'), 'utf8'));
    return doc.checkpoints[0];
  } catch {
    return undefined;
  }
}

const messages = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l).message as string);

/**
 * One pipeline to o0 and o1 (file outputs); o1 writes below a path that is a regular file, so every
 * write fails (ENOTDIR) until `blocker` is removed. `o1` adds its buffer, batch and retry.
 */
function stuckSibling(root: string, o1: Partial<OutputConfig>): { c: AgentConfig; blocker: string } {
  const blocker = join(root, 'blocked');
  writeFileSync(blocker, 'not a directory');
  const c = config(root, [{}]);
  c.pipelines[0].outputs = ['o0', 'o1'];
  c.outputs[0].batch = { maxAgeMs: 20 };
  c.outputs.push({ id: 'o1', type: 'file', options: { path: join(blocker, 'out1.ndjson') }, ...o1 });
  return { c, blocker };
}

describe('per-output progress', () => {
  test('after a SIGKILL, an output that acknowledged everything resumes at its own position and its stuck sibling at its own', async () => {
    const root = tempDir();
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i}`);
    const log = writeLog(root, 'ns', 'p', 'c', cri(lines));
    const size = statSync(log).size;
    const { c, blocker } = stuckSibling(root, {
      batch: { maxAgeMs: 20 },
      retry: { initialBackoffMs: 50, maxBackoffMs: 200 },
    });

    const file = join(root, 'agent.json');
    writeFileSync(file, JSON.stringify(c));
    const agent = spawn(node, [join(repo, 'bin/sluice.js'), 'agent', '--config', file], { stdio: 'ignore' });
    const exited = new Promise((resolve) => agent.once('exit', resolve));
    await until('o0 delivered every line and its position is durable', () => {
      const cp = checkpoint(root);
      return readOut(root, 0).length === lines.length && cp?.outputs?.o0 === size;
    });
    const cp = checkpoint(root)!;
    expect(cp.outputs).toEqual({ o0: size, o1: 0 });
    expect(cp.offset).toBe(0); // reading resumes where the least advanced output stands
    agent.kill('SIGKILL');
    await exited;

    rmSync(blocker);
    await runOnce(c);
    // o0: every line exactly once (before, its sibling's position made it re-send all 300).
    expect(readOut(root, 0).map((r) => r.message)).toEqual(lines);
    // o1: every line, from its own position.
    expect(messages(join(blocker, 'out1.ndjson'))).toEqual(lines);
    expect(checkpoint(root)?.outputs).toEqual({ o0: size, o1: size });
  });

  test('a single output keeps the plain checkpoint (no per-output map)', async () => {
    const root = tempDir();
    writeLog(root, 'ns', 'p', 'c', cri(['a', 'b']));
    await runOnce(config(root, [{}]));
    const cp = checkpoint(root)!;
    expect(cp.outputs).toBeUndefined();
    expect(cp.offset).toBeGreaterThan(0);
  });

  test('a stuck output holds back only itself: its sibling gets every line, and it catches up from the file once it has room', async () => {
    const root = tempDir();
    const first = Array.from({ length: 2000 }, (_, i) => `first ${i} ${'x'.repeat(60)}`);
    const log = writeLog(root, 'ns', 'p', 'c', cri(first));
    const { c, blocker } = stuckSibling(root, {
      // Room for a few dozen records: full (whenFull: block, the default) long before the file ends.
      buffer: { type: 'memory', maxSize: 8192 },
      batch: { maxAgeMs: 20, maxRecords: 16 },
      retry: { initialBackoffMs: 20, maxBackoffMs: 50 },
    });
    const stats = new AgentStats();
    const rt = new Runtime({ stats, log: () => {} });
    try {
      await rt.apply(c, configHash(c));
      // Before, the pipeline stopped reading when o1's buffer filled: o0 got a few dozen lines.
      await until('o0 has every line while o1 is stuck', () => readOut(root, 0).length === first.length);
      expect(existsSync(join(blocker, 'out1.ndjson'))).toBe(false);
      // More lines while o1 is still stuck: o0 keeps its rate.
      const second = Array.from({ length: 500 }, (_, i) => `second ${i}`);
      appendFileSync(log, cri(second));
      await until(
        'o0 has the appended lines',
        () => readOut(root, 0).length === first.length + second.length,
      );
      const cp = checkpoint(root);
      expect(cp?.outputs?.o1).toBeLessThan(statSync(log).size); // o1's position pins the file
      rmSync(blocker);
      const all = [...first, ...second];
      await until('o1 caught up', () => {
        try {
          return new Set(messages(join(blocker, 'out1.ndjson'))).size === all.length;
        } catch {
          return false;
        }
      });
      const got = messages(join(blocker, 'out1.ndjson'));
      // Nothing lost, in file order once the duplicates of its catching up are set aside.
      expect([...new Set(got)]).toEqual(all);
      // o1's duplicates are bounded by what it held when it filled (its buffer, a batch in flight).
      expect(got.length - all.length).toBeLessThanOrEqual(200);
      // o0: exactly once.
      expect(readOut(root, 0).map((r) => r.message)).toEqual(all);
      await until('both positions at the end', () => {
        const p = checkpoint(root);
        return p?.outputs?.o0 === statSync(log).size && p?.outputs?.o1 === statSync(log).size;
      });
      expect([...(stats.outputs.get('o1')?.drops ?? [])]).toEqual([]);
    } finally {
      await rt.shutdown(1000);
    }
  });
});
