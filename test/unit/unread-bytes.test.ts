// Bytes of a followed file that never became records are counted with a reason: a rotated file
// released with a last line that never got its newline (incomplete_line), on real files.
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
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
