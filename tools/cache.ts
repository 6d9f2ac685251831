// Where the pinned tools are installed: a cache that outlives checkouts and is shared by them
// (SLUICE_TESTENV_CACHE overrides; the name predates tools/ and is kept for existing caches).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function cacheDir(): string {
  return resolve(process.env.SLUICE_TESTENV_CACHE || join(homedir(), '.cache', 'sluice-testenv'));
}
