// Host files of a ClusterLogPipeline (e.g. /var/log/syslog): plain lines, globs and excludes
// under hostRoot, checkpointed like container logs, followed across a rename rotation.
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { AgentStats } from '../../agent/src/ops/stats.ts';
import { Runtime } from '../../agent/src/topology/runtime.ts';
import { configHash } from '../../contract/agent-config/hash.ts';
import { config, readOut, runOnce, tempDir } from './agent-harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hostConfig(root: string) {
  return config(
    root,
    [
      {
        input: {
          containerLogs: false,
          hostFiles: { paths: ['/var/log/syslog', '/var/log/app/*.log'], exclude: ['/var/log/app/skip.log'] },
        },
      },
    ],
    { hostRoot: join(root, 'host'), pollIntervalMs: 100, rotateWaitMs: 300 },
  );
}

function setup(): string {
  const root = tempDir();
  mkdirSync(join(root, 'host/var/log/app'), { recursive: true });
  mkdirSync(join(root, 'logs'), { recursive: true });
  writeFileSync(
    join(root, 'host/var/log/syslog'),
    'Jan  1 00:00:01 node-a sshd[42]: accepted\r\nJan  1 00:00:02 node-a cron: run\n',
  );
  writeFileSync(join(root, 'host/var/log/app/a.log'), 'app line\n');
  writeFileSync(join(root, 'host/var/log/app/skip.log'), 'never\n');
  return root;
}

describe('host files', () => {
  test('globs and excludes under hostRoot; plain lines become records with a host object', async () => {
    const root = setup();
    await runOnce(hostConfig(root));
    const out = readOut(root);
    expect(out.map((r) => r.message).sort()).toEqual([
      'Jan  1 00:00:01 node-a sshd[42]: accepted',
      'Jan  1 00:00:02 node-a cron: run',
      'app line',
    ]);
    const sys = out.find((r) => String(r.message).includes('sshd'))!;
    expect(sys).toMatchObject({
      stream: 'file',
      pipeline: 'p0',
      // The node's path, as the pipeline names it, not where the agent has it mounted.
      host: { path: '/var/log/syslog' },
    });
    expect(sys.kubernetes).toBeUndefined();
    expect(Date.parse(String(sys.timestamp))).toBeGreaterThan(Date.now() - 60_000);
    // Checkpointed: a second run reads nothing again.
    await runOnce(hostConfig(root));
    expect(readOut(root)).toHaveLength(3);
  });

  test('a rename rotation while running: the rotated file is read to its end, the new one from its head', async () => {
    const root = setup();
    const syslog = join(root, 'host/var/log/syslog');
    const c = hostConfig(root);
    c.outputs[0].batch = { maxAgeMs: 20 };
    const rt = new Runtime({ stats: new AgentStats(), log: () => {} });
    await rt.apply(c, configHash(c));
    await sleep(300);
    appendFileSync(syslog, 'before rotation 1\nbefore rotation 2\n');
    renameSync(syslog, `${syslog}.1`);
    appendFileSync(`${syslog}.1`, 'late write to the rotated file\n');
    writeFileSync(syslog, 'after rotation\n');
    const want = [
      'Jan  1 00:00:01 node-a sshd[42]: accepted',
      'Jan  1 00:00:02 node-a cron: run',
      'before rotation 1',
      'before rotation 2',
      'late write to the rotated file',
      'after rotation',
    ];
    const got = () =>
      readOut(root)
        .filter((r) => (r.host as { path: string }).path.includes('syslog'))
        .map((r) => r.message);
    for (let i = 0; i < 100 && got().length < want.length; i++) await sleep(100);
    await rt.shutdown(5000);
    expect(got()).toEqual(want);
    expect(readFileSync(join(root, 'out0.ndjson'), 'utf8')).not.toContain('never');
  });
});
