// MinIO as the S3 server: one drive under the run directory, root credentials as the access keys.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { install } from '../../../tools/install/index.ts';
import { freePorts } from '../ports.ts';
import { startProcess } from '../proc.ts';
import type { S3Info } from '../types.ts';
import { http, waitUntil } from '../wait.ts';
import type { Ctx } from './context.ts';

export const S3_REGION = 'us-east-1';

export async function installS3(ctx: Ctx): Promise<string> {
  return (await install.minio(ctx.say)).minio;
}

export async function startS3(ctx: Ctx, minio: string): Promise<S3Info> {
  const dir = join(ctx.runDir, 's3');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const [port] = (await freePorts(1)) as [number];
  const accessKeyId = `sluice${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(20).toString('hex');
  const proc = startProcess(
    'minio',
    minio,
    [
      'server',
      join(dir, 'data'),
      '--address',
      `127.0.0.1:${port}`,
      '--certs-dir',
      join(dir, 'certs'),
      '--quiet',
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        MINIO_ROOT_USER: accessKeyId,
        MINIO_ROOT_PASSWORD: secretAccessKey,
        MINIO_REGION: S3_REGION,
        MINIO_BROWSER: 'off', // no console listener
        MINIO_UPDATE: 'off',
      },
      ports: [port],
    },
  );
  ctx.track(proc);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(
    'minio /minio/health/ready',
    async () => {
      const r = await http(`${endpoint}/minio/health/ready`);
      return r.status === 200;
    },
    { timeoutMs: 60_000, procs: [proc] },
  );
  return { endpoint, region: S3_REGION, accessKeyId, secretAccessKey, forcePathStyle: true };
}
