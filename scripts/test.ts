// `npm test`: everything that proves the product, in order of cost — static checks (generated
// files up to date, lint, types), unit tests, then integration and end-to-end suites against the
// real servers of test/env, which this script brings up itself (once, for both suites) and always
// tears down — also when a suite fails or the run is interrupted — before checking that nothing
// of the environment is left behind.
//   node scripts/test.ts          all stages
//   node scripts/test.ts env      only the stages that use the test environment
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

const node = process.execPath; // npm puts the pinned Node 24 first on PATH; it runs .ts directly
const jest = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];
const envCli = 'test/env/cli.ts';
let current: ChildProcess | undefined;
let envStarted = false;

function step(name: string, cmd: string, args: string[]): Promise<boolean> {
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: process.env });
    current = child;
    child.on('error', (err) => {
      process.stderr.write(`\n${name}: ${err.message}\n`);
      resolve(false);
    });
    child.on('exit', (code, signal) => {
      current = undefined;
      if (code !== 0) process.stderr.write(`\n${name} failed (exit ${code ?? signal})\n`);
      resolve(code === 0);
    });
  });
}

async function must(name: string, cmd: string, args: string[]): Promise<void> {
  if (!(await step(name, cmd, args))) process.exit(1);
}

/** Stops the environment and checks for leftovers; synchronous so signal handlers can use it. */
function teardown(): boolean {
  if (!envStarted) return true;
  envStarted = false;
  process.stdout.write('\n=== test environment down\n');
  spawnSync(node, [envCli, 'down'], { stdio: 'inherit' });
  process.stdout.write('\n=== no leftovers of the test environment\n');
  return spawnSync(node, [envCli, 'check-clean'], { stdio: 'inherit' }).status === 0;
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\n${sig}: stopping\n`);
    current?.kill(sig);
    teardown();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  });
}

const only = process.argv[2];
if (only !== 'env') {
  await must('generated files', node, ['scripts/generate.ts', '--check']);
  await must('lint', 'npx', ['biome', 'check', '.']);
  await must('types', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  await must('unit tests', node, [...jest, '--selectProjects', 'unit']);
}

envStarted = true; // from here on, whatever happens, tear down
let ok = await step('test environment up', node, [envCli, 'up']);
if (ok) {
  const integration = await step('integration tests', node, [...jest, '--selectProjects', 'integration']);
  const e2e = await step('e2e tests', node, [...jest, '--selectProjects', 'e2e', '--passWithNoTests']);
  // Last: it installs the chart on the real node and removes kwok's fake nodes. One suite at a
  // time: each installs the same release (and the CRDs) and removes it at its end.
  const installed = await step('as installed (the chart on a real node)', node, [
    ...jest,
    '--selectProjects',
    'installed',
    '--runInBand',
  ]);
  ok = integration && e2e && installed;
}
const clean = teardown();
process.exit(ok && clean ? 0 : 1);
