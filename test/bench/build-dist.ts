// The benchmarks measure the compiled agent the image runs (`dist/`), so each one that starts it
// builds it first with the project's own build (`npm run build`): a bench run from a fresh clone,
// or after a source change, never measures a missing or stale dist/.
import { spawnSync } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;

export function buildDist(): void {
  const r = spawnSync(process.execPath, ['scripts/build.ts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('npm run build failed (see above): the benchmark needs dist/');
}
