// Bytes of a followed file that never became records are counted with a reason, on real files: a
// rotated file released with a last line that never got its newline (incomplete_line), and a file
// deleted while it waited for a descriptor (deleted).
import { appendFileSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { buildReport } from '../../agent/src/ops/report.ts';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import { config, readOut, T, tempDir, until, writeLog } from './agent-harness.ts';

test('a rotated file ending without a newline: its last bytes are counted as incomplete_line', async () => {
  const root = tempDir();
  const path = writeLog(root, 'shop', 'web', 'app', `${T} stdout F one\n`);
  const c = config(root, [{}], { pollIntervalMs: 50, rotateWaitMs: 100, watch: false });
  const stats = new AgentStats();
  const rt = new Runtime({ stats, log: () => {}, once: false });
  await rt.apply(c, configHash(c));
  try {
    await until('the first line delivered', () => readOut(root).length === 1, 20_000);
    const tail = `${T} stdout F cut off`;
    appendFileSync(path, tail);
    renameSync(path, `${path}.20240101-000000`);
    writeFileSync(path, `${T} stdout F two\n`);
    await until('the rotated file released', () => stats.pipeline('p0').unreadBytes.size > 0, 20_000);
    await until('the new file read', () => readOut(root).length === 2, 20_000);
    expect(Object.fromEntries(stats.pipeline('p0').unreadBytes)).toEqual({
      incomplete_line: Buffer.byteLength(tail),
    });
    expect(buildReport(stats).p).toEqual({ p0: { u: { incomplete_line: Buffer.byteLength(tail) } } });
  } finally {
    await rt.shutdown(5000);
  }
});

test('a file deleted while it waited for a descriptor: its bytes are counted as deleted', async () => {
  const root = tempDir();
  // One descriptor (maxOpenFiles: 1), held by a file the pipeline cannot finish: its output writes
  // below a regular file, so every write fails and its 8 KiB buffer stays full.
  const busy = Array.from({ length: 2000 }, (_, i) => `${T} stdout F busy ${i}`).join('\n');
  writeLog(root, 'shop', 'web', 'app', `${busy}\n`);
  const blocker = join(root, 'blocked');
  writeFileSync(blocker, 'not a directory');
  const c = config(root, [{}], { pollIntervalMs: 50, rotateWaitMs: 100, maxOpenFiles: 1 });
  c.outputs[0].options = { path: join(blocker, 'out0.ndjson') };
  c.outputs[0].buffer = { type: 'memory', maxSize: 8192 };
  c.outputs[0].retry = { initialBackoffMs: 20, maxBackoffMs: 50 };
  const stats = new AgentStats();
  const rt = new Runtime({ stats, log: () => {}, once: false });
  await rt.apply(c, configHash(c));
  try {
    await until('the output failing', () => stats.output('o0').lastError !== '', 20_000);
    // A second file is found and waits for the one descriptor; it is deleted before it gets it.
    const waiting = writeLog(root, 'shop', 'api', 'app', `${T} stdout F never read\n`.repeat(10));
    const size = statSync(waiting).size;
    await until('the second file found', () => stats.lag().some((l) => l.path === waiting), 20_000);
    rmSync(waiting);
    rmSync(blocker); // the output writes again: the busy file is read to its end and gives its slot
    await until('the deleted file released', () => stats.pipeline('p0').unreadBytes.has('deleted'), 20_000);
    expect(Object.fromEntries(stats.pipeline('p0').unreadBytes)).toEqual({ deleted: size });
    await until('every line of the busy file delivered', () => {
      try {
        return readFileSync(join(blocker, 'out0.ndjson'), 'utf8').split('\n').length > 2000;
      } catch {
        return false;
      }
    });
  } finally {
    await rt.shutdown(5000);
  }
});
