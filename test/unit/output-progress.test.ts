// Per-output progress on real files: each output of a pipeline resumes from what it acknowledged
// itself, so an output that delivered everything is not sent it again because a sibling was stuck.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import type { Checkpoint } from '../../agent/src/checkpoint/store.ts';
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

describe('per-output progress', () => {
  test('after a SIGKILL, an output that acknowledged everything resumes at its own position and its stuck sibling at its own', async () => {
    const root = tempDir();
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i}`);
    const log = writeLog(root, 'ns', 'p', 'c', cri(lines));
    const size = statSync(log).size;
    // o1 writes below a path that is a regular file: every write fails (ENOTDIR) until it is removed.
    const blocker = join(root, 'blocked');
    writeFileSync(blocker, 'not a directory');
    const c = config(root, [{}]);
    c.pipelines[0].outputs = ['o0', 'o1'];
    c.outputs[0].batch = { maxAgeMs: 20 };
    c.outputs.push({
      id: 'o1',
      type: 'file',
      options: { path: join(blocker, 'out1.ndjson') },
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
});
