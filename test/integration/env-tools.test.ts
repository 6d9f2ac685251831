// kubectl and helm of test/env are the pinned versions and work against the real apiserver: a
// chart rendered by helm passes a server-side dry-run apply.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { kubeEnv, toolsEnv, VERSIONS } from '../env/index.ts';

const kube = kubeEnv();
const tools = toolsEnv();
const work = mkdtempSync(join(tmpdir(), 'env-tools-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const run = (cmd: string, args: string[], input?: string) =>
  execFileSync(cmd, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: kube.kubeconfig, HOME: work },
  });

describe('test env: kubectl and helm', () => {
  test('versions are the pinned ones, client and server', () => {
    const v = JSON.parse(run(tools.kubectl, ['version', '-o', 'json']));
    expect(v.clientVersion.gitVersion).toBe(VERSIONS.kubernetes);
    expect(v.serverVersion.gitVersion).toBe(VERSIONS.kubernetes);
    expect(run(tools.helm, ['version', '--short'])).toMatch(
      new RegExp(`^${VERSIONS.helm.replace(/\./g, '\\.')}`),
    );
  }, 60_000);

  test('helm template | kubectl apply --dry-run=server', () => {
    run(tools.helm, ['create', join(work, 'demo')]);
    const manifests = run(tools.helm, ['template', 'demo', join(work, 'demo'), '--namespace', 'default']);
    const out = run(tools.kubectl, ['apply', '--dry-run=server', '-n', 'default', '-f', '-'], manifests);
    expect(out).toMatch(/deployment\.apps\/demo created \(server dry run\)/);
  }, 60_000);
});
