// Disk buffer recovery with the real agent process (issue 4): records pile up in an output's disk
// buffer (its file output is a FIFO nobody reads), the agent is SIGKILLed, one frame in the middle
// of the write-ahead log is damaged and a torn write is appended. The restarted agent must come up
// (no crash loop), cut out exactly the damaged record, count it, deliver everything else once,
// and start clean the time after.
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { verifyOutputs } from '../../agent/src/loadgen/verify.ts';
import {
  agentConfig,
  exited,
  generate,
  getJson,
  manifestFiles,
  mkfifo,
  readFifo,
  sleep,
  sluice,
  until,
  untilComplete,
  untilHealthy,
  workDir,
  writeJson,
} from './agent-helpers.ts';

interface Status {
  outputs: { id: string; bufferedBytes: number; corruptedBytes?: number; dropped: Record<string, number> }[];
}

describe('agent over a damaged disk buffer', () => {
  test('recovers, counts the lost record, never crash-loops', async () => {
    const w = await workDir('wal');
    const { dir, logs, data, manifest, config, port } = w;
    const fifo = join(dir, 'out.fifo');
    const out = join(dir, 'out.ndjson');
    mkfifo(fifo);
    writeJson(
      config,
      agentConfig(w, {
        pipelines: [
          { id: 'ClusterLogPipeline/all', kind: 'ClusterLogPipeline', name: 'all', outputs: ['wal'] },
        ],
        outputs: [
          {
            id: 'wal',
            type: 'file',
            options: { path: fifo },
            buffer: { type: 'disk', maxSize: 256 * 1024 * 1024, fsync: 'always' },
          },
        ],
      }),
    );
    expect(await exited(generate(logs, manifest, { files: 2, events: 3000 }))).toBe(0);
    const files = manifestFiles(manifest);
    const status = async () => (await getJson(port, '/status')) as unknown as Status;

    // 1. Everything goes into the disk buffer (acknowledged there: the files' checkpoints move on).
    let agent = sluice(['agent', '--config', config], 'ignore');
    let last = -1;
    await until(async () => {
      const b = (await status()).outputs[0].bufferedBytes;
      const stable = b > 0 && b === last;
      last = b;
      return stable ? true : undefined;
    }, 60_000);
    await sleep(500); // a checkpoint flush interval
    agent.kill('SIGKILL');
    await exited(agent);

    // 2. Damage one record in the middle of the log, and leave a torn write at its end.
    const walDir = join(data, 'buffers', encodeURIComponent('wal'));
    const segs = readdirSync(walDir)
      .filter((n) => n.endsWith('.wal'))
      .sort();
    const seg = join(walDir, segs[segs.length - 1]);
    const buf = readFileSync(seg);
    const at = buf.indexOf('SEQ:', Math.floor(buf.length / 2));
    const tag = /SEQ:(f\d+:\d+);/.exec(buf.toString('latin1', at, at + 40))![1];
    buf[at + 1] ^= 0x20; // 'E' → 'e': the frame's checksum fails
    writeFileSync(seg, buf);
    appendFileSync(seg, Buffer.from([0x40, 0, 0, 0, 1, 2]));

    // 3. Restart with a reader on the FIFO: up, healthy, one record counted lost, the rest delivered once.
    const reader = readFifo(fifo, out);
    agent = sluice(['agent', '--config', config], 'ignore');
    await untilHealthy(port, 30_000);
    const rep = await untilComplete([out], files, 60_000, 1);
    expect(rep.lostSample).toEqual([tag]);
    const s = (await status()).outputs[0];
    expect(s.dropped).toEqual({ buffer_corrupted: 1 });
    expect(s.corruptedBytes).toBeGreaterThan(0);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(
      /sluice_records_dropped_total\{pipeline="",output="wal",reason="buffer_corrupted"\} 1/,
    );
    agent.kill('SIGTERM');
    expect(await exited(agent)).toBe(0);
    await exited(reader);
    const final = verifyOutputs([out], files);
    process.stdout.write(
      `disk recovery test: ${final.expected} lines, lost ${final.lost} (the damaged record ${tag}), duplicates ${final.duplicates}, corrupted bytes ${s.corruptedBytes}\n`,
    );
    expect({ lost: final.lost, dup: final.duplicates }).toEqual({ lost: 1, dup: 0 });

    // 4. The next start is clean.
    const reader2 = readFifo(fifo, out, true);
    agent = sluice(['agent', '--config', config], 'ignore');
    await untilHealthy(port, 30_000);
    await sleep(1000);
    expect((await status()).outputs[0].dropped).toEqual({});
    agent.kill('SIGTERM');
    expect(await exited(agent)).toBe(0);
    reader2.kill();
    expect(verifyOutputs([out], files).duplicates).toBe(0);
  }, 180_000);
});
