// An image in buildah's storage → an OCI image archive (a tar of oci-layout, index.json and
// blobs/sha256/*) whose index entry names the image the way `ctr images import` reads it:
// io.containerd.image.name = the full reference, org.opencontainers.image.ref.name = its tag.
// Layers are gzip-compressed, as buildah stores them.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../exec.ts';
import { buildah, imagesDir } from './buildah.ts';

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
