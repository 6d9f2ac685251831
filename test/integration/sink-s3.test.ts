// The S3 sink against the real MinIO of test/env, through the real agent process: 100,000 records
// with the server stopped mid-run decode from the objects exactly once (no loss, no duplicate
// objects: a retried upload rewrites its deterministic key); a batch larger than the part size is
// uploaded as a multipart object.
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, test } from '@jest/globals';
import { s3Env } from '../env/index.ts';
import { outageMidRun, prepare, startAgent, Tally, writeResources, writeSecret } from './sinks/harness.ts';

const env = s3Env();
const s3 = new S3Client({
  endpoint: env.endpoint,
  region: env.region,
  forcePathStyle: true,
  credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
});
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  s3.destroy();
});

function setup(name: string, bucket: string, files: number, events: number, extra: string) {
  const { dir, m } = prepare(name, files, events);
  writeSecret(dir, 'bench', 's3-keys', { id: env.accessKeyId, secret: env.secretAccessKey });
  writeResources(
    dir,
    'archive',
    `  s3:
    bucket: ${bucket}
    region: ${env.region}
    endpoint: ${env.endpoint}
    forcePathStyle: true
    keyPrefix: "logs/%Y/%m/%d/"
    credentials: {accessKeyId: {name: s3-keys, key: id}, secretAccessKey: {name: s3-keys, key: secret}}
${extra}`,
  );
  return { dir, m };
}

/** Every object of the bucket, decoded into the tally; returns keys and sizes. */
async function readBucket(bucket: string, tally: Tally): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const body = Buffer.from(
        await (
          await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))
        ).Body!.transformToByteArray(),
      );
      tally.add((o.Key!.endsWith('.gz') ? gunzipSync(body) : body).toString('latin1'));
      out.push({ key: o.Key!, size: o.Size ?? 0 });
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return out;
}

async function healthy(): Promise<boolean> {
  try {
    return (await fetch(`${env.endpoint}/minio/health/ready`)).status === 200;
  } catch {
    return false;
  }
}

describe('s3 sink (MinIO, static keys from a Secret)', () => {
  test('100,000 records with the server stopped mid-run: no loss, no duplicate objects', async () => {
    const bucket = `sink-outage-${Date.now()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { dir, m } = setup(
      's3-outage',
      bucket,
      4,
      18_600,
      '    batch: {maxBytes: 1Mi, maxAge: 1s}\n  retry: {initialBackoff: 200ms, maxBackoff: 3s}\n',
    );
    expect(m.lines).toBeGreaterThanOrEqual(100_000);
    const agent = await startAgent(dir);
    cleanups.push(async () => agent.proc.kill('SIGKILL'));
    const during = await outageMidRun(agent, {
      component: 'minio',
      ms: 15_000,
      healthy,
      healthyTimeoutMs: 60_000,
      expected: m.lines,
      drainTimeoutMs: 180_000,
    });
    expect(during.lastError).toMatch(/s3 bucket/);
    expect(during.dropped).toEqual({});
    agent.proc.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    const tally = new Tally(m.files);
    const objects = await readBucket(bucket, tally);
    process.stdout.write(
      `s3 outage: ${m.lines} records in ${objects.length} objects, lost ${tally.lost}, duplicates ${tally.duplicates}\n`,
    );
    expect(
      objects.every((o) => /^logs\/2025\/01\/01\/20250101T\d{6}Z-[0-9a-f]{32}\.ndjson\.gz$/.test(o.key)),
    ).toBe(true);
    expect(tally.lostSample()).toEqual([]);
    expect(tally.duplicates).toBe(0);
    expect(tally.delivered).toBe(m.lines);
  }, 420_000);

  test('a batch larger than the part size goes up as one multipart object', async () => {
    const bucket = `sink-multipart-${Date.now()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { dir, m } = setup(
      's3-multipart',
      bucket,
      2,
      12_000,
      '    compression: none\n    batch: {maxBytes: 64Mi, maxAge: 1m, maxRecords: 1000000}\n  buffer: {type: disk}\n',
    );
    const agent = await startAgent(dir, { once: true });
    expect(await agent.exited).toBe(0);
    const tally = new Tally(m.files);
    const objects = await readBucket(bucket, tally);
    const large = objects.filter((o) => o.size > 8 * 1024 * 1024);
    expect(large.length).toBeGreaterThan(0);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: large[0]!.key }));
    expect(head.ETag).toMatch(/-\d+"?$/); // the ETag of a multipart object ends in -<parts>
    expect(tally.lostSample()).toEqual([]);
    expect(tally.duplicates).toBe(0);
  }, 180_000);
});
