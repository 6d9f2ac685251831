// `sluice run` as users run it: a spawned process over real log files. With -f, a LogPipeline of
// namespace shop and its file LogOutput compile locally; only shop's logs reach the file (under
// --data-dir), enriched with the record fields; a stdout output prints records on stdout while
// the agent's own logs go to stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const root = join(import.meta.dirname, '../..');
const pinned = join(root, 'node_modules/.bin/node');
const node = existsSync(pinned) ? pinned : process.execPath;
const T = '2024-01-01T00:00:00.000000001Z';

function sluice(args: string[]) {
  const r = spawnSync(node, [join(root, 'bin/sluice.js'), ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function logs(dir: string): string {
  const l = join(dir, 'logs');
  for (const [ns, pod, lines] of [
    ['shop', 'cart-1', ['{"level":"info","msg":"added"}', 'plain shop line']],
    ['other', 'web-1', ['{"level":"info","msg":"not ours"}']],
  ] as const) {
    const d = join(l, `${ns}_${pod}_uid-${pod}`, 'app');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, '0.log'), lines.map((x) => `${T} stdout F ${x}\n`).join(''));
  }
  return l;
}

const resources = (output: string) => `apiVersion: sluice.dev/v1alpha1
kind: LogOutput
metadata: {name: local, namespace: shop}
spec: ${output}
---
apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: checkout, namespace: shop}
spec:
  outputs: [{name: local}]
`;

describe('sluice run -f', () => {
  test('a LogPipeline with a file LogOutput: only its namespace, under --data-dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-run-'));
    writeFileSync(join(dir, 'r.yaml'), resources('{file: {path: shop.ndjson}}'));
    const data = join(dir, 'data');
    const r = sluice(['run', '-f', join(dir, 'r.yaml'), '--logs', logs(dir), '--data-dir', data, '--once']);
    expect(r.err).toContain(`writes to ${join(data, 'files', 'shop', 'shop.ndjson')}`);
    expect(r.code).toBe(0);
    const out = readFileSync(join(data, 'files', 'shop', 'shop.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({
      level: 'info',
      msg: 'added',
      pipeline: 'checkout',
      kubernetes: { namespace: 'shop', pod: 'cart-1', container: 'app' },
    });
    expect(out[1].message).toBe('plain shop line');
    // A second run continues from the checkpoints: nothing new, nothing repeated.
    expect(
      sluice(['run', '-f', join(dir, 'r.yaml'), '--logs', join(dir, 'logs'), '--data-dir', data, '--once'])
        .code,
    ).toBe(0);
    expect(
      readFileSync(join(data, 'files', 'shop', 'shop.ndjson'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(2);
  });

  test('a stdout LogOutput: records on stdout, the agent logs on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-run-'));
    writeFileSync(join(dir, 'r.yaml'), resources('{stdout: {}}'));
    const r = sluice([
      'run',
      '-f',
      join(dir, 'r.yaml'),
      '--logs',
      logs(dir),
      '--data-dir',
      join(dir, 'd'),
      '--once',
    ]);
    expect(r.code).toBe(0);
    const records = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((x) => x.msg ?? x.message)).toEqual(['added', 'plain shop line']);
    expect(r.err).toContain('"msg":"agent started"');
    expect(r.out).not.toContain('agent started');
  });

  test('resources that do not resolve: exit 2 with the reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-run-'));
    writeFileSync(
      join(dir, 'r.yaml'),
      `apiVersion: sluice.dev/v1alpha1
kind: LogPipeline
metadata: {name: checkout, namespace: shop}
spec:
  outputs: [{name: missing}]
`,
    );
    const r = sluice(['run', '-f', join(dir, 'r.yaml'), '--logs', logs(dir), '--once']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('OutputNotFound');
  });
});
