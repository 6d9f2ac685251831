// The compiled CLI the container images run (`node dist/cli/entry.js <command>`): `npm run build`
// must produce a dist/ that works on its own — version from package.json, commands found as .js,
// lazy imports rewritten, the generated validators copied.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from '@jest/globals';

const root = join(import.meta.dirname, '../..');
const entry = join(root, 'dist/cli/entry.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

beforeAll(() => {
  const r = spawnSync(process.execPath, [join(root, 'scripts/build.ts')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}, 5 * 60_000);

describe('dist/ CLI', () => {
  test('prints the package version', () => {
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    expect(run(['version'])).toEqual({ code: 0, out: `sluice ${version}\n`, err: '' });
  });

  test('lists the commands it has, as .js modules', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['validate', 'render', 'run', 'agent', 'generate']) expect(r.out).toContain(`  ${c} `);
  });

  test('agent --help loads the agent command (the agent image entrypoint)', () => {
    const r = run(['agent', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('usage: sluice agent --config FILE');
  });

  test('validate and render run the operator code with the generated validators', () => {
    const v = run(['validate', '-f', join(root, 'examples')]);
    expect(v.code).toBe(0);
    expect(v.err).toMatch(/^\d+ resources valid/);
    const r = run(['render', '-f', join(root, 'examples')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('kind: DaemonSet');
  });

  // The operator command lands with the operator branch.
  (existsSync(join(root, 'cli/commands/operator.ts')) ? test : test.skip)(
    'operator --help loads the operator command (the operator image entrypoint)',
    () => {
      const r = run(['operator', '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('sluice operator');
    },
  );
});
