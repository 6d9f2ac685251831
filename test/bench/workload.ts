// The §1 workload of the throughput benches, written once per shape and reused across runs: FILES
// CRI files of EVENTS generated events each (LogGenerator's mix), the pod metadata cache the agent
// enriches from, and a manifest with the generator's per-file counts and totals.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogGenerator } from '../../agent/src/loadgen/generate.ts';

export interface Workload {
  root: string;
  logs: string;
  manifestPath: string;
  metadataPath: string;
  /** Writes the workload unless a previous run did (its manifest is there); returns its size. */
  prepare(): { bytes: number; lines: number };
}

export function workload(opts: {
  /** Names the cache folder: `sluice-bench-<name>-<files>x<events>` in the temp dir. */
  name: string;
  files: number;
  events: number;
  seed: number;
  /** The metadata of the pod writing file `i` (its folder names the namespace, pod and uid). */
  pod(i: number, id: { ns: string; pod: string; uid: string }): object;
  /** The namespace objects of the metadata cache. */
  namespaces: object[];
}): Workload {
  const root = join(tmpdir(), `sluice-bench-${opts.name}-${opts.files}x${opts.events}`);
  const logs = join(root, 'logs');
  const manifestPath = join(root, 'manifest.json');
  const metadataPath = join(root, 'metadata.json');
  const prepare = (): { bytes: number; lines: number } => {
    if (existsSync(manifestPath)) return JSON.parse(readFileSync(manifestPath, 'utf8')).stats;
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    const gen = new LogGenerator({ dir: logs, files: opts.files, seed: opts.seed });
    for (let i = 0; i < opts.files; i++)
      for (let k = 0; k < opts.events; k += 1000) gen.write(i, Math.min(1000, opts.events - k));
    gen.close();
    const pods = gen.files.map((f, i) => {
      const [ns, pod, uid] = f.dir.split('/').at(-2)!.split('_');
      return opts.pod(i, { ns, pod, uid });
    });
    writeFileSync(metadataPath, JSON.stringify({ pods, namespaces: opts.namespaces }));
    const stats = { bytes: gen.bytesWritten, lines: gen.linesWritten };
    writeFileSync(manifestPath, JSON.stringify({ files: gen.manifest(), stats }));
    return stats;
  };
  return { root, logs, manifestPath, metadataPath, prepare };
}
