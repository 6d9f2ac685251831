// The product images, built with buildah from the repository's own Dockerfile.agent and
// Dockerfile.operator (the files users `docker build`), exported as OCI image archives that
// `ctr -n k8s.io images import` names as the Helm chart's defaults reference them. Cached by a hash
// of everything the build reads (Dockerfile, .dockerignore, every file a COPY takes from the
// context, the base image ids, the build args): an unchanged tree costs a hash and two inspects.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { cacheDir } from '../../../tools/cache.ts';
import { buildLog } from '../../../tools/install/once.ts';
import { withLock } from '../../../tools/lock.ts';
import { repoRoot } from '../paths.ts';
import { writeArchive } from './archive.ts';
import { ensureBaseImages } from './bases.ts';
import { buildah, cleanTmp, imagesDir, inspectImage, prepareBuilder, type Say } from './buildah.ts';

export type ImageName = 'agent' | 'operator';
export const IMAGE_NAMES: readonly ImageName[] = ['agent', 'operator'];

export interface BuiltImage {
  /** e.g. ghcr.io/sluice-dev/sluice-agent:0.1.0, as charts/sluice renders it by default */
  ref: string;
  /** OCI image archive (gzip layers) for `ctr -n k8s.io images import` */
  archive: string;
  /** the image (config) digest, sha256:<hex>: what containerd lists as the image's id */
  id: string;
  /** hash of the build inputs; part of the archive's file name */
  key: string;
}
export type BuiltImages = Record<ImageName, BuiltImage>;

const BUILD_RECIPE = 2; // bump when the build flags below change what is built

/** The chart's appVersion: the default image tag (charts/sluice/templates/_helpers.tpl). */
export function appVersion(): string {
  const chart = readFileSync(join(repoRoot, 'charts/sluice/Chart.yaml'), 'utf8');
  const m = /^appVersion:\s*["']?([^"'\s]+)["']?\s*$/m.exec(chart);
  if (!m) throw new Error('charts/sluice/Chart.yaml has no appVersion');
  return m[1];
}

/** The image references the chart's default values produce (registry/repository:appVersion). */
export function imageRefs(): Record<ImageName, string> {
  const values = readFileSync(join(repoRoot, 'charts/sluice/values.yaml'), 'utf8');
  const field = (k: string) => {
    const m = new RegExp(`^ {2}${k}:\\s*["']?([^"'\\s]+)["']?`, 'm').exec(values);
    if (!m) throw new Error(`charts/sluice/values.yaml has no image.${k}`);
    return m[1];
  };
  const registry = field('registry');
  const tag = appVersion();
  return {
    agent: `${registry}/${field('agentRepository')}:${tag}`,
    operator: `${registry}/${field('operatorRepository')}:${tag}`,
  };
}

function gitRevision(): string {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

// What .dockerignore leaves out of the context (the COPY sources below never need more).
const IGNORED_NAMES = new Set(['node_modules', 'dist', 'coverage', '.git', '.sluice']);

/** The context paths a Dockerfile's COPY (without --from) instructions take. */
export function copySources(dockerfile: string): string[] {
  const text = readFileSync(join(repoRoot, dockerfile), 'utf8').replace(/\\\n/g, ' ');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const [op, ...args] = line.trim().split(/\s+/);
    if (op?.toUpperCase() !== 'COPY' || args.some((a) => a.startsWith('--from='))) continue;
    out.push(...args.filter((a) => !a.startsWith('--')).slice(0, -1));
  }
  return out;
}

function hashTree(h: ReturnType<typeof createHash>, path: string): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (IGNORED_NAMES.has(name) || name.endsWith('.log')) continue;
      hashTree(h, join(path, name));
    }
    return;
  }
  h.update(`${relative(repoRoot, path)}\0${st.mode & 0o777}\0`);
  h.update(readFileSync(path));
  h.update('\0');
}

function inputKey(dockerfile: string, baseIds: string[], buildArgs: string[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ BUILD_RECIPE, dockerfile, baseIds, buildArgs }));
  h.update(readFileSync(join(repoRoot, dockerfile)));
  const ignore = join(repoRoot, '.dockerignore');
  if (existsSync(ignore)) h.update(readFileSync(ignore));
  for (const src of copySources(dockerfile)) hashTree(h, join(repoRoot, src));
  return h.digest('hex').slice(0, 16);
}

/**
 * RUN steps reach the npm registry through this machine's network, so they trust what the machine
 * trusts (an intercepting egress proxy's CA, say): the system CA bundle plus NODE_EXTRA_CA_CERTS and
 * SSL_CERT_FILE if set, bind-mounted for the build only as npm's `cafile` in its global npmrc.
 * Nothing of it lands in the runtime images (their stage has no RUN); build stages are not shipped.
 */
function hostTrustMounts(): string[] {
  const files = [
    '/etc/ssl/certs/ca-certificates.crt',
    process.env.NODE_EXTRA_CA_CERTS,
    process.env.SSL_CERT_FILE,
  ].filter((f, i, all): f is string => !!f && all.indexOf(f) === i && existsSync(f));
  if (files.length === 0) return [];
  const bundle = join(imagesDir(), 'conf', 'build-ca.pem');
  writeFileSync(bundle, files.map((f) => readFileSync(f, 'utf8').trimEnd()).join('\n') + '\n');
  const npmrc = join(imagesDir(), 'conf', 'build-npmrc');
  writeFileSync(npmrc, 'cafile=/usr/local/etc/sluice-build-ca.pem\n');
  return [
    '--volume',
    `${bundle}:/usr/local/etc/sluice-build-ca.pem:ro`,
    '--volume',
    `${npmrc}:/usr/local/etc/npmrc:ro`,
  ];
}

async function buildOne(name: ImageName, ref: string, baseIds: string[], say: Say): Promise<BuiltImage> {
  const dockerfile = `Dockerfile.${name}`;
  const buildArgs = [`VERSION=${appVersion()}`, `REVISION=${gitRevision()}`];
  const key = inputKey(dockerfile, baseIds, buildArgs);
  const dir = join(imagesDir(), 'archives');
  const archive = join(dir, `sluice-${name}-${appVersion()}-${key}.tar`);
  const idFile = `${archive}.id`;
  if (existsSync(archive) && existsSync(idFile))
    return { ref, archive, id: readFileSync(idFile, 'utf8').trim(), key };
  const log = buildLog(`image-${name}`, key);
  const t0 = Date.now();
  say(`building ${ref} from ${dockerfile} (log: ${log})`);
  await buildah(
    [
      'bud',
      '--file',
      join(repoRoot, dockerfile),
      '--isolation',
      'chroot',
      '--network',
      'host',
      '--pull=never',
      '--layers=false',
      '--jobs',
      '2',
      '--identity-label=false',
      ...hostTrustMounts(),
      ...buildArgs.flatMap((a) => ['--build-arg', a]),
      '--tag',
      ref,
      repoRoot,
    ],
    log,
  );
  const built = Date.now();
  mkdirSync(dir, { recursive: true });
  const id = await writeArchive(ref, `${archive}.partial`, log);
  renameSync(`${archive}.partial`, archive);
  writeFileSync(idFile, `${id}\n`);
  // Archives of earlier inputs are stale: keep only this one per image.
  for (const f of readdirSync(dir))
    if (f.startsWith(`sluice-${name}-`) && !f.startsWith(`sluice-${name}-${appVersion()}-${key}.tar`))
      rmSync(join(dir, f), { force: true });
  say(
    `built ${ref} in ${((built - t0) / 1000).toFixed(0)}s, archived in ${((Date.now() - built) / 1000).toFixed(0)}s: ${archive}`,
  );
  return { ref, archive, id, key };
}

/**
 * Builds (or finds cached) the agent and operator images and their OCI archives. The first call on
 * a machine installs buildah and mmdebstrap and builds the base images (minutes); later calls
 * rebuild only what changed.
 */
export async function buildImages(say: Say = () => {}): Promise<BuiltImages> {
  await prepareBuilder(say);
  return withLock(
    join(cacheDir(), 'locks', 'images.lock'),
    async () => {
      const bases = await ensureBaseImages(say);
      const baseIds = [bases.node, bases.runtime].map((r) => inspectImage(r)!.FromImageID);
      const refs = imageRefs();
      try {
        const agent = await buildOne('agent', refs.agent, baseIds, say);
        const operator = await buildOne('operator', refs.operator, baseIds, say);
        return { agent, operator };
      } finally {
        // Replaced images (a tag moved to a new build) and any build container a failure left.
        await buildah(['rm', '--all'], buildLog('image-prune', 'last')).catch(() => {});
        await buildah(['rmi', '--prune'], buildLog('image-prune', 'last')).catch(() => {});
        cleanTmp();
      }
    },
    () => say('waiting for another process building the images'),
  );
}
