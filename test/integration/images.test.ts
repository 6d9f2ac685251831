// The product images as test/env builds them (buildah, from Dockerfile.agent and
// Dockerfile.operator, on base images made from Debian packages): each OCI archive names its image
// as the chart references it, carries the Dockerfile's config, holds the compiled CLI and its
// production dependencies on a distroless-like root (no shell, no package manager), and really
// runs: the root filesystem assembled from the archive's layers runs the CLI under chroot as the
// image's user. Importing them into a node's containerd and running them as pods is the end-to-end
// test's (test/installed). Needs root (buildah, chroot); the first run on a machine builds the
// base images.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type ArchiveContents, openArchive, unpackRootfs } from '../env/images/archive.ts';
import { appVersion, type BuiltImages, buildImages, imageRefs } from '../env/images/build.ts';

const root = join(import.meta.dirname, '../..');
const say = (m: string) => process.stderr.write(`[images] ${m}\n`);
const work = mkdtempSync(join(tmpdir(), 'sluice-images-test-'));
const log = join(work, 'unpack.log');
let images: BuiltImages;
const opened: Record<string, { contents: ArchiveContents; rootfs: string }> = {};

/** The Dockerfile's value of instruction `op` (last occurrence, continuation lines joined). */
function instruction(file: string, op: string): string {
  const lines = readFileSync(join(root, file), 'utf8').replace(/\\\n/g, ' ').split('\n');
  return lines
    .filter((l) => l.trim().toUpperCase().startsWith(`${op} `))
    .at(-1)!
    .trim()
    .slice(op.length + 1)
    .trim();
}

beforeAll(async () => {
  images = await buildImages(say);
  for (const name of ['agent', 'operator'] as const) {
    const dir = join(work, name);
    const contents = await openArchive(images[name].archive, join(dir, 'layout'), log);
    await unpackRootfs(join(dir, 'layout'), contents, join(dir, 'rootfs'), log);
    opened[name] = { contents, rootfs: join(dir, 'rootfs') };
  }
}, 60 * 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the refs are the chart defaults: registry/repository:appVersion', () => {
  const chart = readFileSync(join(root, 'charts/sluice/Chart.yaml'), 'utf8');
  expect(chart).toContain(`appVersion: "${appVersion()}"`);
  expect(imageRefs()).toEqual({
    agent: `ghcr.io/sluice-dev/sluice-agent:${appVersion()}`,
    operator: `ghcr.io/sluice-dev/sluice-operator:${appVersion()}`,
  });
  expect(images.agent.ref).toBe(imageRefs().agent);
  expect(images.operator.ref).toBe(imageRefs().operator);
});

test('a second build with unchanged sources reuses the archives', async () => {
  const again = await buildImages(say);
  expect(again).toEqual(images);
});

describe.each(['agent', 'operator'] as const)('%s image', (name) => {
  const file = `Dockerfile.${name}`;
  const c = () => opened[name].contents;
  const rootfs = () => opened[name].rootfs;

  test('the archive names the image for ctr import', () => {
    expect(c().annotations['io.containerd.image.name']).toBe(images[name].ref);
    expect(c().annotations['org.opencontainers.image.ref.name']).toBe(appVersion());
    expect(c().manifest.config.digest).toBe(images[name].id);
    expect(c().config.rootfs.diff_ids).toHaveLength(c().manifest.layers.length);
    expect([c().config.os, c().config.architecture]).toEqual(['linux', 'amd64']);
  });

  test("the config is the Dockerfile's: entrypoint, command, user, workdir, env, labels, ports", () => {
    const cfg = c().config.config;
    expect(cfg.Entrypoint).toEqual(JSON.parse(instruction(file, 'ENTRYPOINT')));
    expect(cfg.Cmd).toEqual(JSON.parse(instruction(file, 'CMD')));
    expect(cfg.User).toBe(instruction(file, 'USER'));
    expect(cfg.WorkingDir).toBe('/app');
    expect(cfg.Env).toContain('NODE_ENV=production');
    expect(cfg.Env).toContain('SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt');
    for (const port of instruction(file, 'EXPOSE').split(/\s+/))
      expect(Object.keys(cfg.ExposedPorts ?? {})).toContain(`${port}/tcp`);
    expect(cfg.Labels).toMatchObject({
      'org.opencontainers.image.title': `sluice-${name}`,
      'org.opencontainers.image.version': appVersion(),
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    expect(cfg.Labels?.['org.opencontainers.image.revision']).toMatch(/^([0-9a-f]{40}|unknown)$/);
    // Nothing of the builder's own bookkeeping leaks into the product's labels.
    expect(Object.keys(cfg.Labels ?? {}).filter((l) => !l.startsWith('org.opencontainers.image.'))).toEqual(
      [],
    );
  });

  test('the filesystem: compiled CLI, production dependencies, Node, no shell, no package manager', () => {
    const at = (p: string) => join(rootfs(), p);
    expect(existsSync(at('app/dist/cli/entry.js'))).toBe(true);
    expect(existsSync(at('app/package.json'))).toBe(true);
    expect(existsSync(at('app/node_modules/kafkajs/package.json'))).toBe(true);
    expect(existsSync(at('app/node_modules/typescript'))).toBe(false); // a devDependency
    expect(existsSync(at('app/node_modules/jest'))).toBe(false);
    expect(statSync(at('nodejs/bin/node')).mode & 0o111).not.toBe(0);
    for (const p of ['bin/sh', 'bin/bash', 'usr/bin/apt', 'usr/bin/dpkg', 'usr/local/bin/npm'])
      expect([p, existsSync(at(p))]).toEqual([p, false]);
    expect(statSync(at('tmp')).mode & 0o7777).toBe(0o1777);
    expect(readFileSync(at('etc/passwd'), 'utf8')).toMatch(/^nonroot:x:65532:65532:/m);
    expect(statSync(at('home/nonroot')).uid).toBe(65532);
    expect(statSync(at('etc/ssl/certs/ca-certificates.crt')).size).toBeGreaterThan(100_000);
  });

  /**
   * Runs the image's entrypoint with `args` the way a runtime would: root directory = the image's
   * root filesystem, working directory, uid:gid and environment from its config (unshare -R/-w/-S/-G
   * chroots, changes directory, then drops to the user before it execs the entrypoint).
   */
  function runInImage(args: string[]) {
    const cfg = c().config.config;
    const [uid, gid = '0'] = (cfg.User ?? '0').split(':');
    const env = Object.fromEntries(
      (cfg.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
    const r = spawnSync(
      'unshare',
      [
        '--root',
        rootfs(),
        '--wd',
        cfg.WorkingDir ?? '/',
        '--setgid',
        gid,
        '--setuid',
        uid,
        ...cfg.Entrypoint!,
        ...args,
      ],
      { encoding: 'utf8', env, timeout: 120_000 },
    );
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  test('node runs the CLI inside the image: version', () => {
    const r = runInImage(['version']);
    expect(r).toEqual({ code: 0, out: `sluice ${appVersion()}\n` });
  });

  test(`node runs the CLI inside the image: ${name} --help`, () => {
    const r = runInImage([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(20);
  });
});
