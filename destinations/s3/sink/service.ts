// The S3 I/O: each object of a request is compressed (gzip, on the libuv pool) and uploaded with
// one PUT, or as a multipart upload past `multipartBytes` (aborted on failure, so no part is left
// behind). Objects are independent: the records of an uploaded object are done even when another
// object of the same request must be retried. Credentials come from Secrets (rebuilt when they
// change) or from the default AWS chain. Access errors are surfaced as credential errors.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { ErrorCode } from '../../../agent/src/ops/catalogue.ts';
import { SecretError } from '../../../agent/src/secrets/types.ts';
import { Credentials } from '../../../agent/src/sinks/shared/credentials.ts';
import { resolveTls } from '../../../agent/src/sinks/shared/tls.ts';
import type { SendResult, SendStatus, Service, SinkContext } from '../../../agent/src/sinks/types.ts';
import type { S3Options } from '../../../contract/agent-config/types.ts';
import { DEFAULT_MULTIPART_BYTES } from '../options.ts';
import type { S3Object, S3Request } from './encode.ts';

const gz = promisify(gzip);
type S3 = typeof import('@aws-sdk/client-s3');

const AUTH_ERRORS = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
]);

export class S3Service implements Service<S3Request> {
  private readonly o: S3Options;
  private readonly ctx: SinkContext;
  private client: { s3: S3Client; sdk: S3 } | undefined;
  /** The Secret values the client is built with; tells when one of them changed. */
  private readonly creds: Credentials;
  /** Objects uploaded, for tests and status. */
  uploaded = 0;

  constructor(o: S3Options, ctx: SinkContext) {
    this.o = o;
    this.ctx = ctx;
    this.creds = new Credentials(o, ctx.secrets);
  }

  onRecover(wake: () => void): void {
    this.creds.onChange(wake);
  }

  private async connect(): Promise<{ s3: S3Client; sdk: S3 }> {
    const sdk = await import('@aws-sdk/client-s3');
    const c = this.o.credentials;
    this.creds.begin();
    const credentials =
      c === undefined
        ? undefined
        : {
            accessKeyId: await this.creds.get(c.accessKeyId.secret),
            secretAccessKey: await this.creds.get(c.secretAccessKey.secret),
          };
    const tls = await resolveTls(this.o.tls, this.creds);
    // node:https (and node:http under it) costs ~17 MB of RSS: loaded only when an S3 output runs.
    const { Agent } = await import('node:https');
    const s3 = new sdk.S3Client({
      region: this.o.region ?? 'us-east-1',
      endpoint: this.o.endpoint,
      forcePathStyle: this.o.forcePathStyle,
      credentials,
      maxAttempts: 1,
      requestHandler: {
        requestTimeout: this.o.requestTimeoutMs ?? 60_000,
        ...(tls !== undefined ? { httpsAgent: new Agent({ ...tls, keepAlive: true }) } : {}),
      },
    });
    return { s3, sdk };
  }

  private put() {
    const o = this.o;
    return {
      Bucket: o.bucket,
      ContentType: 'application/x-ndjson',
      ...((o.compression ?? 'gzip') === 'gzip' ? { ContentEncoding: 'gzip' } : {}),
      ...(o.serverSideEncryption !== undefined ? { ServerSideEncryption: o.serverSideEncryption } : {}),
      ...(o.kmsKeyId !== undefined ? { SSEKMSKeyId: o.kmsKeyId } : {}),
      ...(o.storageClass !== undefined ? { StorageClass: o.storageClass as never } : {}),
    };
  }

  private async upload(c: { s3: S3Client; sdk: S3 }, obj: S3Object): Promise<void> {
    const body = (this.o.compression ?? 'gzip') === 'gzip' ? await gz(obj.body) : obj.body;
    const part = Math.max(this.o.multipartBytes ?? DEFAULT_MULTIPART_BYTES, 5 * 1024 * 1024);
    const base = this.put();
    if (body.length <= part) {
      await c.s3.send(new c.sdk.PutObjectCommand({ ...base, Key: obj.key, Body: body }));
      return;
    }
    const { UploadId } = await c.s3.send(new c.sdk.CreateMultipartUploadCommand({ ...base, Key: obj.key }));
    try {
      const parts: { ETag: string | undefined; PartNumber: number }[] = [];
      for (let off = 0, n = 1; off < body.length; off += part, n++) {
        const r = await c.s3.send(
          new c.sdk.UploadPartCommand({
            Bucket: this.o.bucket,
            Key: obj.key,
            UploadId,
            PartNumber: n,
            Body: body.subarray(off, Math.min(off + part, body.length)),
          }),
        );
        parts.push({ ETag: r.ETag, PartNumber: n });
      }
      await c.s3.send(
        new c.sdk.CompleteMultipartUploadCommand({
          Bucket: this.o.bucket,
          Key: obj.key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      await c.s3
        .send(new c.sdk.AbortMultipartUploadCommand({ Bucket: this.o.bucket, Key: obj.key, UploadId }))
        .catch(() => {});
      throw e;
    }
  }

  async send(req: S3Request): Promise<SendResult> {
    const results: SendStatus[] = new Array(req.count).fill('retry');
    let failure: unknown;
    try {
      if ((await this.creds.changed()) && this.client !== undefined) {
        this.ctx.reconnected?.('secret');
        this.drop();
      }
      this.client ??= await this.connect();
      for (const obj of req.objects) {
        try {
          await this.upload(this.client, obj);
          this.uploaded++;
          for (const i of obj.events) results[i] = 'ok';
        } catch (e) {
          failure ??= e;
        }
      }
    } catch (e) {
      failure = e;
    }
    if (failure === undefined) return { status: 'ok' };
    return { status: 'partial', results, ...this.describe(failure) };
  }

  private describe(e: unknown): { error: string; code: string } {
    const where = `s3 bucket ${this.o.bucket}${this.o.endpoint !== undefined ? ` at ${this.o.endpoint}` : ''}`;
    if (e instanceof SecretError) return { error: `${where}: ${e.message}`, code: ErrorCode.sinkSecret };
    const name = (e as { name?: string }).name ?? '';
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (AUTH_ERRORS.has(name) || status === 403) {
      const c = this.o.credentials;
      const hint =
        c !== undefined
          ? `check the keys in Secret ${c.accessKeyId.secret.namespace}/${c.accessKeyId.secret.name} and the bucket policy`
          : 'check the pod identity (IRSA / EKS pod identity) and the bucket policy';
      return {
        error: `${where}: access denied (${name || status}): ${(e as Error).message}; ${hint}. Retrying, at once when the Secret changes`,
        code: ErrorCode.sinkAuth,
      };
    }
    if (name === 'NoSuchBucket')
      return {
        error: `${where}: the bucket does not exist; create it (retrying)`,
        code: ErrorCode.sinkUnavailable,
      };
    return {
      error: `${where}: ${name ? `${name}: ` : ''}${(e as Error).message}`,
      code: ErrorCode.sinkUnavailable,
    };
  }

  private drop(): void {
    this.client?.s3.destroy();
    this.client = undefined;
  }

  async close(): Promise<void> {
    this.creds.close();
    this.drop();
  }
}
