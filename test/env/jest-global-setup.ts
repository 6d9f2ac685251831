// Jest global setup of the integration and e2e projects: make sure the test environment is up.
// It drives the CLI in a child process (Node 24 runs the .ts directly) rather than importing the
// harness, so the servers are started exactly as `npm run test:env up` starts them. An environment
// that is already up (scripts/test.ts brings it up once for both projects) is reused and left
// running; one started here is stopped by the global teardown, or by a signal handler if jest is
// interrupted. SLUICE_TESTENV_COMPONENTS=kube,kafka limits what starts. (Jest loads global hooks
// outside its module mapper, so this file imports no sibling .ts file.)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

interface Config {
  rootDir: string;
}

function testEnvCli(rootDir: string): { node: string; cli: string } {
  const local = join(rootDir, 'node_modules', '.bin', 'node'); // the pinned Node 24 strips types
  return { node: existsSync(local) ? local : process.execPath, cli: join(rootDir, 'test', 'env', 'cli.ts') };
}

let upProcess: ChildProcess | undefined;

function run(node: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { stdio: 'inherit' });
    upProcess = child;
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export default async function globalSetup(_global: unknown, project: Config): Promise<void> {
  const { node, cli } = testEnvCli(project.rootDir);
  if (spawnSync(node, [cli, 'status'], { stdio: 'ignore' }).status === 0) return; // up: reuse, leave running
  const stop = (sig: NodeJS.Signals) => {
    upProcess?.kill('SIGTERM'); // an `up` still starting stops what it started and frees the lock
    spawnSync(node, [cli, 'down'], { stdio: 'inherit' });
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  (globalThis as { __sluiceTestEnvOwned?: boolean }).__sluiceTestEnvOwned = true;
  const code = await run(node, [cli, 'up']);
  if (code !== 0) throw new Error(`test environment failed to start (test:env up exited ${code})`);
}
