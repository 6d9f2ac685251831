// Secrets from a local directory, for `sluice run` without a cluster: the value of
// `{namespace, name, key}` is the content of DIR/<namespace>/<name>/<key> (the layout of a mounted
// Secret, one folder per namespace). Editing a file is a rotation: it is picked up on the next
// refresh, as in the cluster.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CachingSecretStore } from './store.ts';

export function directorySecretStore(dir: string, refreshMs: number): CachingSecretStore {
  return new CachingSecretStore(
    async (namespace, name) => {
      const folder = join(dir, namespace, name);
      let keys: string[];
      try {
        keys = (await readdir(folder, { withFileTypes: true }))
          .filter((d) => (d.isFile() || d.isSymbolicLink()) && !d.name.startsWith('.'))
          .map((d) => d.name);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
      const data: Record<string, string> = {};
      for (const k of keys) data[k] = (await readFile(join(folder, k), 'utf8')).replace(/\r?\n$/, '');
      return data;
    },
    refreshMs,
    `the secrets directory ${dir} (files <namespace>/<name>/<key>)`,
  );
}
