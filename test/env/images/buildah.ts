// buildah, run so that everything it writes stays under the image cache (cacheDir()/images):
// its storage (vfs: works on any filesystem, no overlay mounts), run state, temp files, network
// config dir (containers.conf; else /etc/containers/networks and /etc/cni/net.d get lock files),
// registries.conf (no search registries: nothing resolves to a registry). (The signature policy is
// the system's /etc/containers/policy.json, which the buildah package installs.) Its
// blob-info cache (containers/image: /var/lib/containers/cache for root) has no flag in buildah 1.28,
// so every buildah call runs in a private mount namespace with a directory of ours bound over
// /var/lib: the namespace ends with the call, nothing shows outside. Builds use chroot isolation
// and the host network (RUN npm install reaches the npm registry); nothing is ever pulled.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cacheDir } from '../../../tools/cache.ts';
import { exec } from '../../../tools/exec.ts';
import { ensureDebianPackages } from '../../../tools/install/debian.ts';

export type Say = (msg: string) => void;

/**
 * Debian packages of the image builder: buildah (+ its runtime pieces), mmdebstrap, dpkg-deb.
 * netavark is only a Recommends of buildah, but buildah refuses to start without the network
 * backend that containers.conf names, even for host-network builds.
 */
export const BUILDER_PACKAGES = [
  'buildah',
  'netavark',
  'mmdebstrap',
  'dpkg',
  'util-linux',
  'mount',
  'tar',
  'ca-certificates',
];

export function imagesDir(): string {
  return join(cacheDir(), 'images');
}

interface Layout {
  root: string;
  runroot: string;
  tmp: string;
  varLib: string;
  conf: string;
  registries: string;
  net: string;
}

function layout(): Layout {
  const d = imagesDir();
  return {
    root: join(d, 'storage'),
    runroot: join(d, 'run'),
    tmp: join(d, 'tmp'),
    varLib: join(d, 'var-lib'),
    conf: join(d, 'conf', 'containers.conf'),
    registries: join(d, 'conf', 'registries.conf'),
    net: join(d, 'conf', 'networks'),
  };
}

let prepared = false;

/** Installs buildah and mmdebstrap if missing and writes buildah's config files (once per process). */
export async function prepareBuilder(say: Say): Promise<void> {
  if (prepared) return;
  await ensureDebianPackages(BUILDER_PACKAGES, say);
  const l = layout();
  for (const dir of [l.root, l.runroot, l.tmp, l.varLib, l.net]) mkdirSync(dir, { recursive: true });
  writeFileSync(
    l.conf,
    [
      '[network]',
      'network_backend = "netavark"',
      `network_config_dir = "${l.net}"`,
      '[engine]',
      `tmp_dir = "${l.tmp}"`,
      '',
    ].join('\n'),
  );
  writeFileSync(l.registries, 'unqualified-search-registries = []\nshort-name-mode = "disabled"\n');
  prepared = true;
}

export function builderEnv(): NodeJS.ProcessEnv {
  const l = layout();
  return {
    ...process.env,
    TMPDIR: l.tmp,
    CONTAINERS_CONF: l.conf,
    CONTAINERS_REGISTRIES_CONF: l.registries,
    // Nothing of buildah's may land in $HOME (~/.config/containers, ~/.local/share/containers).
    XDG_CONFIG_HOME: join(imagesDir(), 'conf', 'xdg-config'),
    XDG_DATA_HOME: join(imagesDir(), 'conf', 'xdg-data'),
    XDG_RUNTIME_DIR: l.runroot,
    BUILDAH_ISOLATION: 'chroot',
  };
}

/** The global flags every buildah call gets (storage location and driver). */
function globalArgs(): string[] {
  const l = layout();
  return ['--root', l.root, '--runroot', l.runroot, '--storage-driver', 'vfs'];
}

/** argv running `buildah ARGS` in a private mount namespace with our directory over /var/lib. */
function wrapped(args: string[]): [string, string[]] {
  const l = layout();
  const script = 'mount --bind "$0" /var/lib && exec buildah "$@"';
  return [
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, l.varLib, ...globalArgs(), ...args],
  ];
}

/** Runs buildah; output goes to `log`. */
export function buildah(args: string[], log: string): Promise<void> {
  const [cmd, argv] = wrapped(args);
  return exec(cmd, argv, { log, env: builderEnv() });
}

/** Runs buildah and returns its stdout (for inspect/images/from); throws with stderr on failure. */
export function buildahOut(args: string[]): string {
  const [cmd, argv] = wrapped(args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: builderEnv(), maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`buildah ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** `buildah inspect` of image `ref` (its JSON: FromImageID, OCIv1 config, ...), or undefined. */
export function inspectImage(ref: string): BuildahImage | undefined {
  const [cmd, argv] = wrapped(['inspect', '--type', 'image', ref]);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: builderEnv(), maxBuffer: 64 << 20 });
  return r.status === 0 ? (JSON.parse(r.stdout) as BuildahImage) : undefined;
}

/** The run settings of an OCI image config (`config.config`), as buildah and the archives carry them. */
export interface OciRunConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, unknown>;
}

export interface BuildahImage {
  FromImageID: string;
  OCIv1: { config: OciRunConfig; rootfs: { diff_ids: string[] } };
}

/** Empties buildah's temp dir (buildah leaves build contexts and layer blobs there on failures). */
export function cleanTmp(): void {
  const l = layout();
  rmSync(l.tmp, { recursive: true, force: true });
  mkdirSync(l.tmp, { recursive: true });
}

/** Files buildah writes when its redirections fail (see the top of this file). */
export const STRAY_BUILDER_PATHS = [
  '/var/lib/containers/cache/blob-info-cache-v1.boltdb',
  '/etc/containers/networks/netavark.lock',
  '/etc/cni/net.d/cni.lock',
  '/var/tmp/buildah-', // prefix of its temp dirs when TMPDIR is not honoured
];

/**
 * What an image build left behind: build containers in our storage, temp files, and any of the
 * paths buildah writes outside its root by default (another container tool on the machine may
 * have written those: the message says so).
 */
export function imageLeftovers(): string[] {
  const problems: string[] = [];
  const l = layout();
  if (existsSync(l.tmp) && readdirSync(l.tmp).length > 0) problems.push(`image build temp files in ${l.tmp}`);
  if (existsSync(join(l.root, 'vfs-containers', 'containers.json'))) {
    const ctrs = JSON.parse(
      readFileSync(join(l.root, 'vfs-containers', 'containers.json'), 'utf8'),
    ) as unknown[];
    if (ctrs.length > 0) problems.push(`${ctrs.length} buildah build container(s) in ${l.root}`);
  }
  for (const p of STRAY_BUILDER_PATHS) {
    const dir = dirname(p);
    const found = p.endsWith('-')
      ? existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(basename(p)))
      : existsSync(p);
    if (found)
      problems.push(
        `${p}${p.endsWith('-') ? '*' : ''} exists (buildah outside its root, or another container tool)`,
      );
  }
  return problems;
}
