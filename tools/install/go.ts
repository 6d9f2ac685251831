// Go programs are built from the module proxy in a throwaway wrapper module: `go install` refuses
// modules whose go.mod has replace directives (kubernetes, etcd), and in a wrapper only our own
// replaces count. GOMODCACHE and GOCACHE live in the cache dir; builds use every core (go's default).
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../cache.ts';
import { exec } from '../exec.ts';
import { buildLog } from './once.ts';

export interface GoProgram {
  name: string;
  version: string;
  /** module@version to require */
  module: string;
  packages: string[];
  /** the binary's name when it is not the package's last path element (one package only) */
  binary?: string;
  ldflags?: string[];
  /** extra `go mod edit -replace` pairs, computed once the module's go.mod is downloaded */
  replaces?: (goMod: string) => Record<string, string>;
  /** more ldflags, computed from the module's go.mod (what a release Makefile derives from it) */
  ldflagsFromGoMod?: (goMod: string) => string[];
}

export function goEnv(): NodeJS.ProcessEnv {
  const base = join(cacheDir(), 'go');
  return {
    ...process.env,
    GOPATH: join(base, 'path'),
    GOMODCACHE: join(base, 'mod'),
    GOCACHE: join(base, 'build'),
    // -modcacherw: a plain `rm -rf` of the cache works (the module cache is read-only otherwise).
    GOFLAGS: '-mod=mod -modcacherw -buildvcs=false',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
}

/** The path of a downloaded module's go.mod in the module cache (with the proxy's case escaping). */
function goModPath(module: string): string {
  const [path, version] = module.split('@');
  const esc = (s: string) => s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  return join(goEnv().GOMODCACHE!, 'cache', 'download', esc(path!), '@v', `${esc(version!)}.mod`);
}

export async function goBuild(p: GoProgram, out: string): Promise<void> {
  const env = goEnv();
  const log = buildLog(p.name, p.version);
  const work = join(cacheDir(), 'build', `${p.name}-${p.version}`);
  rmSync(join(work, 'go.mod'), { force: true });
  rmSync(join(work, 'go.sum'), { force: true });
  mkdirSync(work, { recursive: true });
  const go = (...args: string[]) => exec('go', args, { cwd: work, env, log });
  await go('mod', 'init', `local/${p.name}`);
  let fromGoMod: string[] = [];
  if (p.replaces || p.ldflagsFromGoMod) {
    await go('mod', 'download', p.module);
    const goMod = readFileSync(goModPath(p.module), 'utf8');
    const pairs = Object.entries(p.replaces?.(goMod) ?? {});
    for (const [from, to] of pairs) await go('mod', 'edit', `-replace=${from}=${to}`);
    fromGoMod = p.ldflagsFromGoMod?.(goMod) ?? [];
  }
  await go('get', p.module);
  const ldflags = ['-s', '-w', ...(p.ldflags ?? []), ...fromGoMod].join(' ');
  const dest = p.binary ? join(out, p.binary) : `${out}/`;
  await go('build', '-trimpath', '-ldflags', ldflags, '-o', dest, ...p.packages);
}
