// Jest global teardown: stop the test environment if this jest run started it, then prove that
// nothing of it is left (no process, no listening port, no run directory).
// Jest loads global hooks outside its module mapper, so this file imports no sibling .ts file.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function testEnvCli(rootDir: string): { node: string; cli: string } {
  const local = join(rootDir, 'node_modules', '.bin', 'node');
  return { node: existsSync(local) ? local : process.execPath, cli: join(rootDir, 'test', 'env', 'cli.ts') };
}

export default async function globalTeardown(_global: unknown, project: { rootDir: string }): Promise<void> {
  const g = globalThis as { __sluiceTestEnvOwned?: boolean };
  if (!g.__sluiceTestEnvOwned) return;
  g.__sluiceTestEnvOwned = false;
  const { node, cli } = testEnvCli(project.rootDir);
  spawnSync(node, [cli, 'down'], { stdio: 'inherit' });
  const check = spawnSync(node, [cli, 'check-clean'], { stdio: 'inherit' });
  if (check.status !== 0) throw new Error('the test environment left processes, ports or files behind');
}
