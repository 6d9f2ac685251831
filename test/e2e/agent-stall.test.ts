// Stall test (issue 4, DESIGN.md isolation): two pipelines read the same files; one's output is a
// file sink writing into a FIFO nobody reads, so its writes block for real. The other pipeline
// must keep delivering everything while the first is blocked, and once a reader opens the FIFO
// the blocked pipeline catches up with nothing lost.
import { existsSync, statSync } from 'node:fs';
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
  sluice,
  totalLines,
  untilComplete,
  workDir,
  writeJson,
} from './agent-helpers.ts';

describe('agent with one blocked output', () => {
  test('the other pipeline keeps flowing; nothing is lost after unblocking', async () => {
    const w = await workDir('stall');
    const { dir, logs, manifest, config, port } = w;
    const fifo = join(dir, 'blocked.fifo');
    const flowing = join(dir, 'flowing.ndjson');
    const caughtUp = join(dir, 'caught-up.ndjson');
    mkfifo(fifo);
    writeJson(
      config,
      agentConfig(w, {
        pollIntervalMs: 200,
        pipelines: [
          {
            id: 'ClusterLogPipeline/blocked',
            kind: 'ClusterLogPipeline',
            name: 'blocked',
            outputs: ['fifo'],
          },
          {
            id: 'ClusterLogPipeline/flowing',
            kind: 'ClusterLogPipeline',
            name: 'flowing',
            outputs: ['file'],
          },
        ],
        outputs: [
          // A small buffer: the blocked pipeline fills it quickly and its tailers must pause.
          { id: 'fifo', type: 'file', options: { path: fifo }, buffer: { maxSize: 512 * 1024 } },
          { id: 'file', type: 'file', options: { path: flowing } },
        ],
      }),
    );
    const agent = sluice(['agent', '--config', config], 'ignore');
    const gen = generate(logs, manifest, { files: 3, rate: 4000, duration: 6 });
    expect(await exited(gen)).toBe(0);
    const files = manifestFiles(manifest);
    const lines = totalLines(files);

    // While the FIFO has no reader, the flowing pipeline delivers everything.
    const flow = await untilComplete([flowing], files, 60_000);
    expect({ lost: flow.lost, sample: flow.lostSample, dup: flow.duplicates }).toEqual({
      lost: 0,
      sample: [],
      dup: 0,
    });
    expect(agent.exitCode).toBeNull();
    // ...and the blocked one delivered nothing, holds a full buffer and paused its tailers.
    const status = (await getJson(port, '/status')) as {
      outputs: { id: string; delivered: number; bufferedBytes: number }[];
      pipelines: { id: string; recordsOut: number }[];
    };
    const blockedOut = status.outputs.find((o) => o.id === 'fifo')!;
    expect(blockedOut.delivered).toBe(0);
    expect(blockedOut.bufferedBytes).toBeGreaterThan(256 * 1024);
    const blockedPipe = status.pipelines.find((p) => p.id === 'ClusterLogPipeline/blocked')!;
    expect(blockedPipe.recordsOut).toBeLessThan(lines / 2);
    expect(existsSync(caughtUp)).toBe(false);

    // Unblock: a reader opens the FIFO; the blocked pipeline resumes from where it paused.
    const reader = readFifo(fifo, caughtUp);
    const rep = await untilComplete([caughtUp], files, 90_000);
    agent.kill('SIGTERM');
    expect(await exited(agent)).toBe(0);
    await exited(reader);
    const final = verifyOutputs([caughtUp], files);
    process.stdout.write(
      `stall test: ${lines} lines; flowing pipeline complete while blocked (lost ${flow.lost}, dup ${flow.duplicates}); after unblocking lost ${final.lost}, dup ${final.duplicates}; ${statSync(caughtUp).size} bytes caught up\n`,
    );
    expect(rep.lost).toBe(0);
    expect({ lost: final.lost, sample: final.lostSample, dup: final.duplicates }).toEqual({
      lost: 0,
      sample: [],
      dup: 0,
    });
  }, 180_000);
});
