// An image in buildah's storage → an OCI image archive (a tar of oci-layout, index.json and
// blobs/sha256/*) whose index entry names the image the way `ctr images import` reads it:
// io.containerd.image.name = the full reference, org.opencontainers.image.ref.name = its tag.
// Layers are gzip-compressed, as buildah stores them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { exec } from '../../../tools/exec.ts';
import { buildah, imagesDir, type OciRunConfig } from './buildah.ts';

interface Index {
  manifests: { digest: string; annotations?: Record<string, string> }[];
}

/** Writes `ref`'s archive to `out`; returns the image id (its config digest). */
export async function writeArchive(ref: string, out: string, log: string): Promise<string> {
  const layout = join(imagesDir(), 'tmp', `layout-${process.pid}`);
  rmSync(layout, { recursive: true, force: true });
  try {
    const tag = ref.slice(ref.lastIndexOf(':') + 1);
    await buildah(['push', '--format', 'oci', ref, `oci:${layout}:${tag}`], log);
    const indexPath = join(layout, 'index.json');
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as Index;
    if (index.manifests.length !== 1) throw new Error(`${indexPath}: expected one manifest`);
    const entry = index.manifests[0];
    entry.annotations = {
      ...entry.annotations,
      'io.containerd.image.name': ref,
      'org.opencontainers.image.ref.name': tag,
    };
    writeFileSync(indexPath, JSON.stringify(index));
    const manifest = JSON.parse(
      readFileSync(join(layout, 'blobs', 'sha256', entry.digest.replace(/^sha256:/, '')), 'utf8'),
    ) as { config: { digest: string } };
    rmSync(out, { force: true });
    await exec(
      'tar',
      [
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '-C',
        layout,
        '-cf',
        out,
        '.',
      ],
      { log },
    );
    return manifest.config.digest;
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}

export interface ArchiveContents {
  /** the index entry's annotations (the image's name for ctr import) */
  annotations: Record<string, string>;
  manifest: { config: { digest: string }; layers: { digest: string; mediaType: string }[] };
  /** the OCI image config: architecture, os, config {User, Env, Entrypoint, Cmd, ...}, rootfs */
  config: {
    architecture: string;
    os: string;
    config: OciRunConfig;
    rootfs: { diff_ids: string[] };
  };
}

/** Unpacks an archive's layout into `dir` and reads its index entry, manifest and config. */
export async function openArchive(archive: string, dir: string, log: string): Promise<ArchiveContents> {
  mkdirSync(dir, { recursive: true });
  await exec('tar', ['-xf', archive, '-C', dir], { log });
  const blob = (digest: string) => join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;
  const entry = index.manifests[0];
  const manifest = JSON.parse(readFileSync(blob(entry.digest), 'utf8')) as ArchiveContents['manifest'];
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as ArchiveContents['config'];
  return { annotations: entry.annotations ?? {}, manifest, config };
}

/**
 * The image's root filesystem, as a runtime would assemble it: the layers of the layout in `dir`
 * (from openArchive) extracted in order into `rootfs`, applying whiteouts.
 */
export async function unpackRootfs(dir: string, contents: ArchiveContents, rootfs: string, log: string) {
  mkdirSync(rootfs, { recursive: true });
  for (const layer of contents.manifest.layers) {
    const tar = join(dir, 'blobs', 'sha256', layer.digest.replace(/^sha256:/, ''));
    const list = spawnSync('tar', ['-tf', tar], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (list.status !== 0) throw new Error(`tar -tf ${tar}: ${list.stderr}`);
    const whiteouts = list.stdout.split('\n').filter((p) => basename(p).startsWith('.wh.'));
    for (const w of whiteouts) {
      const name = basename(w);
      const parent = join(rootfs, dirname(w));
      if (name === '.wh..wh..opq') rmSync(parent, { recursive: true, force: true });
      else rmSync(join(parent, name.slice('.wh.'.length)), { recursive: true, force: true });
    }
    await exec('tar', ['-xf', tar, '-C', rootfs, '--numeric-owner', '--same-permissions'], { log });
    for (const w of whiteouts) rmSync(join(rootfs, w), { force: true });
  }
}
