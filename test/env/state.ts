// The state file: what runs (pids, ports) and how to reach it. Written after every change during
// `up`, so a run killed halfway still leaves enough behind for `down` to reap it.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { NodeHost } from './node/host.ts';
import { statePath } from './paths.ts';
import type { ProcRecord } from './proc.ts';
import type { TestEnv } from './types.ts';

export interface State {
  version: 1;
  createdAt: string;
  env: TestEnv;
  processes: ProcRecord[];
  /** what the real node changed on the machine, recorded before it is made (node/teardown.ts) */
  node?: NodeHost;
}

export function readState(path = statePath()): State | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as State;
    return s.version === 1 ? s : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(state: State, path = statePath()): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, path);
}

export function removeState(path = statePath()): void {
  rmSync(path, { force: true });
}
