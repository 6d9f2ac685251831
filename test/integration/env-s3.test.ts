// The S3 server of test/env is real: objects are put, listed and read back with the AWS SDK, and
// requests with a wrong secret are refused.

import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { describe, expect, test } from '@jest/globals';
import { s3Env } from '../env/index.ts';

const s3 = s3Env();
const client = (secretAccessKey = s3.secretAccessKey) =>
  new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey },
  });

describe('test env: S3 server', () => {
  const bucket = `smoke-${Date.now()}`;

  test('puts, lists and reads back objects', async () => {
    const c = client();
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
    const keys = Array.from(
      { length: 25 },
      (_, i) => `logs/2026/11/23/part-${String(i).padStart(3, '0')}.ndjson`,
    );
    await Promise.all(
      keys.map((Key, i) =>
        c.send(new PutObjectCommand({ Bucket: bucket, Key, Body: `{"n":${i}}\n`.repeat(i + 1) })),
      ),
    );
    const listed = await c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'logs/' }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(keys);
    const got = await c.send(new GetObjectCommand({ Bucket: bucket, Key: keys[7] }));
    expect(await got.Body?.transformToString()).toBe('{"n":7}\n'.repeat(8));
    c.destroy();
  });

  test('refuses a wrong secret', async () => {
    const c = client('not-the-secret-key');
    await expect(c.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
    c.destroy();
  });
});
