// OCI image archives written directly, without a registry or an image builder: `oci-layout`,
// `index.json` (its one entry annotated `io.containerd.image.name`, which `ctr images import` names
// the image by), and under `blobs/sha256/` one uncompressed layer tar of a root directory, the image
// config (entrypoint, env, `rootfs.diff_ids`) and the manifest. The layer is made by GNU tar with
// sorted names, numeric root ownership and a fixed mtime, so the same root gives the same digest.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ImageSpec {
  /** e.g. `localhost/sluice-testenv/pause:1` */
  ref: string;
  /** directory whose content is the image's file system */
  rootfs: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

function fileDigest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Writes `spec` as an OCI image archive at `out` (atomically: a finished file or none). */
export function writeOciArchive(out: string, spec: ImageSpec): void {
  const work = `${out}.d`;
  rmSync(work, { recursive: true, force: true });
  const blobs = join(work, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const layerTmp = join(work, 'layer.tar');
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    spec.rootfs,
    '-cf',
    layerTmp,
    '.',
  ]);
  const layerHex = fileDigest(layerTmp);
  const layer: Descriptor = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    digest: `sha256:${layerHex}`,
    size: statSync(layerTmp).size,
  };
  renameSync(layerTmp, join(blobs, layerHex));
  const blob = (mediaType: string, value: unknown): Descriptor => {
    const data = Buffer.from(JSON.stringify(value));
    const hex = createHash('sha256').update(data).digest('hex');
    writeFileSync(join(blobs, hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length };
  };
  const config = blob('application/vnd.oci.image.config.v1+json', {
    architecture: 'amd64',
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config: {
      Entrypoint: spec.entrypoint,
      Cmd: spec.cmd,
      Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      WorkingDir: spec.workingDir ?? '/',
      User: spec.user,
    },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'sluice test/env/node/oci.ts' }],
  });
  const manifest = blob('application/vnd.oci.image.manifest.v1+json', {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config,
    layers: [layer],
  });
  const tag = spec.ref.slice(spec.ref.lastIndexOf(':') + 1);
  writeFileSync(join(work, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(work, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          ...manifest,
          platform: { architecture: 'amd64', os: 'linux' },
          annotations: { 'io.containerd.image.name': spec.ref, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
  mkdirSync(dirname(out), { recursive: true });
  execFileSync('tar', [
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    work,
    '-cf',
    `${out}.tmp`,
    'oci-layout',
    'index.json',
    'blobs',
  ]);
  renameSync(`${out}.tmp`, out);
  rmSync(work, { recursive: true, force: true });
}
