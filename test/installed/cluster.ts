// The cluster as a user drives it: kubectl and helm on the PATH with KUBECONFIG set, shell commands
// run as written (the docs' quickstart is executed verbatim), and polling helpers that wait for a
// condition, never for a fixed time.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { kubeEnv, toolsEnv } from '../env/index.ts';

export const root = join(import.meta.dirname, '../..');

export interface Run {
  code: number | null;
  out: string;
  err: string;
}

export class Cluster {
  readonly env: NodeJS.ProcessEnv;
  readonly kubeconfig: string;

  /** The admin's kubectl and helm, or with `kubeconfig` another user's (e.g. a tenant ServiceAccount). */
  constructor(kubeconfig?: string) {
    const kube = kubeEnv();
    const tools = toolsEnv();
    this.kubeconfig = kubeconfig ?? kube.kubeconfig;
    const path = [dirname(tools.kubectl), dirname(tools.helm), process.env.PATH].join(':');
    this.env = { ...process.env, KUBECONFIG: this.kubeconfig, PATH: path };
  }

  /** A bash script, in the repository root, with `set -euo pipefail`. */
  sh(script: string, input?: string): Run {
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: root,
      env: this.env,
      input,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  run(cmd: 'kubectl' | 'helm', args: string[], input?: string): Run {
    const r = spawnSync(cmd, args, {
      cwd: root,
      env: this.env,
      input,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    return { code: r.status, out: r.stdout, err: r.stderr ?? String(r.error ?? '') };
  }

  /** Runs and throws with the command's output when it fails. */
  must(cmd: 'kubectl' | 'helm', args: string[], input?: string): string {
    const r = this.run(cmd, args, input);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}):\n${r.out}${r.err}`);
    return r.out;
  }

  apply(yaml: string): void {
    this.must('kubectl', ['apply', '-f', '-'], yaml);
  }

  // biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field
  get(...args: string[]): any {
    return JSON.parse(this.must('kubectl', ['get', ...args, '-o', 'json']));
  }

  /** The object, or undefined when it does not exist. */
  // biome-ignore lint/suspicious/noExplicitAny: as above
  find(...args: string[]): any {
    const r = this.run('kubectl', ['get', ...args, '-o', 'json', '--ignore-not-found']);
    return r.code === 0 && r.out.trim() !== '' ? JSON.parse(r.out) : undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than undefined/false; the last error or value explains a timeout. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  describe?: () => string,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      last = undefined;
    } catch (e) {
      last = e;
    }
    await sleep(1000);
  }
  const why = last instanceof Error ? last.message : last !== undefined ? String(last) : '';
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${what}${why ? `: ${why}` : ''}${describe ? `\n${describe()}` : ''}`,
  );
}

/** Rows of a `kubectl get` table as objects keyed by the header's column names. */
export function table(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0] ?? '';
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index! }));
  return lines
    .slice(1)
    .map((l) =>
      Object.fromEntries(starts.map((s, i) => [s.name, l.slice(s.at, starts[i + 1]?.at ?? l.length).trim()])),
    );
}
