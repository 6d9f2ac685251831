// The README's main-job commands, run the way a newcomer runs them: spawned, in a fresh directory,
// on the sample pod logs under examples/logs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';

const root = join(import.meta.dirname, '../..');
const pinned = join(root, 'node_modules/.bin/node');
const node = existsSync(pinned) ? pinned : process.execPath;
const logs = join(root, 'examples/logs');

function sluice(cwd: string, args: string[]) {
  const r = spawnSync(node, [join(root, 'bin/sluice.js'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function records(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('sluice run (README main job)', () => {
  test('the default pipeline delivers every sample line once, and a rerun delivers nothing twice', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sluice-readme-'));
    const first = sluice(cwd, ['run', '--logs', logs, '--once']);
    expect(first.err).not.toMatch(/"level":(50|60)/);
    expect(first.code).toBe(0);
    const out = records(join(cwd, 'sluice-out.ndjson'));
    // 11 CRI lines in the shop pod (one P+F pair joined) + 7 in the api pod.
    expect(out).toHaveLength(17);
    expect(
      out.filter((r) => r.msg === 'a long line split by the runtime into two partial records'),
    ).toHaveLength(1);
    expect(out.filter((r) => r.stream === 'stderr')).toHaveLength(11);

    const again = sluice(cwd, ['run', '--logs', logs, '--once']);
    expect(again.code).toBe(0);
    expect(records(join(cwd, 'sluice-out.ndjson'))).toHaveLength(17);
  });

  test('-f compiles the example pipeline: traces joined, debug dropped, secrets redacted', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sluice-readme-'));
    const r = sluice(cwd, [
      'run',
      '-f',
      join(root, 'examples/local/shop-to-file.yaml'),
      '--logs',
      logs,
      '--once',
    ]);
    expect(r.code).toBe(0);
    const out = records(join(cwd, '.sluice/files/shop/shop.ndjson'));
    expect(out.some((x) => x.level === 'debug')).toBe(false);
    const trace = out.filter(
      (x) => typeof x.message === 'string' && x.message.includes('\tat com.example.shop'),
    );
    expect(trace).toHaveLength(1);
    expect(trace[0]!.message).toMatch(
      /^2026-11-23 09:00:02.113 ERROR .* payment failed\njava\.lang\.IllegalStateException: card declined\n.*PaymentService\.java:88\)\n.*\nCaused by: .*\n\t\.\.\. 12 more$/s,
    );
    const text = JSON.stringify(out);
    expect(text).not.toContain('alice@example.com');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(out.find((x) => x.msg === 'order placed')?.user).toBe('[REDACTED]');
    // Nothing from the default namespace's api pod: a LogPipeline sees only its own namespace.
    expect(text).not.toContain('goroutine');
  });

  test('an invalid resource is refused with its reason and exit code 1', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sluice-readme-'));
    const bad = join(cwd, 'bad.yaml');
    const example = readFileSync(join(root, 'examples/local/shop-to-file.yaml'), 'utf8');
    writeFileSync(bad, example.replace('path: shop.ndjson', 'path: ../escape.ndjson'));
    const r = sluice(cwd, ['run', '-f', bad, '--logs', logs, '--once']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /LogOutput\/shop\/local-file: InvalidSpec: spec\.file\.path: .*must stay inside the output directory/,
    );
  });
});
