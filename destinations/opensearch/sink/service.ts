// The OpenSearch I/O: `_bulk` through @opensearch-project/opensearch (its own retries off — the
// shared driver owns them), per-item results: 2xx ok, 409 on create ok (the document is already
// there from an earlier attempt), 429 and 5xx retried, any other 4xx (mapping conflicts, invalid
// documents) rejected to the dead letter with the server's reason. A 413 halves the request until
// a lone item is rejected. 401/403, and a TLS handshake the server refused (client certificate) or
// we refused (server certificate), are surfaced as credential errors and retried, at once when a
// referenced Secret changes.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Client } from '@opensearch-project/opensearch';
import { ErrorCode } from '../../../agent/src/ops/catalogue.ts';
import { refText, SecretError } from '../../../agent/src/secrets/types.ts';
import { Credentials } from '../../../agent/src/sinks/shared/credentials.ts';
import { resolveTls } from '../../../agent/src/sinks/shared/tls.ts';
import { tlsAdvice, tlsFailureFromMessage } from '../../../agent/src/sinks/shared/tls-errors.ts';
import type { SendResult, SendStatus, Service, SinkContext } from '../../../agent/src/sinks/types.ts';
import type { OpensearchOptions } from '../../../contract/agent-config/types.ts';
import type { BulkRequest } from './encode.ts';

const gzipAsync = promisify(gzip);

interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
}

/** One bulk response item → the driver's verdict. */
export function itemStatus(op: 'index' | 'create', status: number): SendStatus {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409 && op === 'create') return 'ok';
  if (status === 429 || status >= 500) return 'retry';
  return 'fatal';
}

function itemError(index: string, it: BulkItem): string {
  const e = it.error;
  const cause = e?.caused_by?.reason !== undefined ? ` (${e.caused_by.type}: ${e.caused_by.reason})` : '';
  return `opensearch index ${index}: ${it.status} ${e?.type ?? 'error'}: ${e?.reason ?? 'rejected'}${cause}`;
}

class HttpStatusError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class OpenSearchService implements Service<BulkRequest> {
  private readonly o: OpensearchOptions;
  private readonly ctx: SinkContext;
  private readonly op: 'index' | 'create';
  private readonly gzip: boolean;
  private client: Client | undefined;
  /** The Secret values the client is built with; tells when one of them changed. */
  private readonly creds: Credentials;

  constructor(o: OpensearchOptions, ctx: SinkContext) {
    this.o = o;
    this.ctx = ctx;
    this.op = o.dataStream !== undefined ? 'create' : 'index';
    this.gzip = (o.compression ?? 'gzip') === 'gzip';
    this.creds = new Credentials(o, ctx.secrets);
  }

  onRecover(wake: () => void): void {
    this.creds.onChange(wake);
  }

  private async connect(): Promise<Client> {
    const { Client } = await import('@opensearch-project/opensearch');
    const basic = this.o.auth?.basic;
    const sig = this.o.auth?.awsSigV4;
    this.creds.begin();
    const ssl = await resolveTls(this.o.tls, this.creds);
    const auth =
      basic === undefined
        ? undefined
        : {
            username: await this.creds.get(basic.username.secret),
            password: await this.creds.get(basic.password.secret),
          };
    let signer = {};
    if (sig !== undefined) {
      const { AwsSigv4Signer } = await import('@opensearch-project/opensearch/aws');
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      const provider = defaultProvider();
      signer = AwsSigv4Signer({
        region: sig.region,
        service: sig.service ?? 'es',
        getCredentials: () => provider(),
      });
    }
    return new Client({
      ...signer,
      nodes: this.o.endpoints,
      auth,
      ssl,
      maxRetries: 0,
      requestTimeout: this.o.requestTimeoutMs ?? 30_000,
      sniffOnStart: false,
      sniffOnConnectionFault: false,
    });
  }

  private async bulk(
    c: Client,
    req: BulkRequest,
    idx: number[],
    results: SendStatus[],
    errors: (string | undefined)[],
  ): Promise<void> {
    const raw = Buffer.concat(idx.map((i) => req.items[i]));
    // gzip at level 1 here rather than the client's level 6: most of the ratio at a fraction of
    // the CPU. filter_path trims the response to what the per-item verdicts need.
    const body = this.gzip ? await gzipAsync(raw, { level: 1 }) : raw;
    let res: { statusCode?: number | null; body: { errors?: boolean; items?: Record<string, BulkItem>[] } };
    try {
      res = (await c.bulk(
        { body, filter_path: 'errors,items.*.status,items.*.error' } as never,
        this.gzip ? { headers: { 'content-encoding': 'gzip' } } : {},
      )) as typeof res;
    } catch (e) {
      const status = (e as { meta?: { statusCode?: number } }).meta?.statusCode;
      if (status === 413) {
        if (idx.length === 1) {
          results[idx[0]] = 'fatal';
          errors[idx[0]] = `opensearch: the document is larger than the server accepts (413)`;
          return;
        }
        const half = idx.length >> 1;
        await this.bulk(c, req, idx.slice(0, half), results, errors);
        await this.bulk(c, req, idx.slice(half), results, errors);
        return;
      }
      if (status !== undefined) throw new HttpStatusError(status, (e as Error).message);
      throw e;
    }
    const items = res.body.items ?? [];
    for (let k = 0; k < idx.length; k++) {
      const it = items[k];
      const i = idx[k];
      const r = it === undefined ? undefined : (it[this.op] ?? Object.values(it)[0]);
      if (r === undefined) {
        results[i] = 'retry';
        continue;
      }
      results[i] = itemStatus(this.op, r.status);
      if (results[i] !== 'ok') errors[i] = itemError(req.indices[i], r);
    }
  }

  async send(req: BulkRequest): Promise<SendResult> {
    const n = req.items.length;
    const results: SendStatus[] = new Array(n).fill('retry');
    const errors: (string | undefined)[] = new Array(n);
    try {
      if ((await this.creds.changed()) && this.client !== undefined) {
        this.ctx.reconnected?.('secret');
        await this.drop();
      }
      this.client ??= await this.connect();
      await this.bulk(
        this.client,
        req,
        Array.from({ length: n }, (_, i) => i),
        results,
        errors,
      );
    } catch (e) {
      return { status: 'partial', results, errors, ...this.describe(e) };
    }
    const fatal = errors.find((e, i) => e !== undefined && results[i] === 'fatal');
    const retry = errors.find((e, i) => e !== undefined && results[i] === 'retry');
    const error = fatal ?? retry;
    return {
      status: 'partial',
      results,
      errors,
      error,
      code:
        fatal !== undefined
          ? ErrorCode.sinkRejected
          : retry !== undefined
            ? ErrorCode.sinkUnavailable
            : undefined,
    };
  }

  private describe(e: unknown): { error: string; code: string } {
    const where = `opensearch ${this.o.endpoints.join(',')}`;
    if (e instanceof SecretError) return { error: `${where}: ${e.message}`, code: ErrorCode.sinkSecret };
    if (e instanceof HttpStatusError && (e.status === 401 || e.status === 403)) {
      const b = this.o.auth?.basic;
      const hint =
        b !== undefined
          ? `check the user in ${refText(b.username.secret)} and the password in ${refText(b.password.secret)}`
          : 'check the credentials and the permissions of this role';
      return {
        error: `${where}: authentication failed (${e.status}): ${hint}; the agent retries as soon as the Secret changes`,
        code: ErrorCode.sinkAuth,
      };
    }
    const message = (e as Error).message;
    const tls = tlsFailureFromMessage(message);
    if (tls !== undefined)
      return {
        error: `${where}: ${tlsAdvice(tls, this.o.tls, 'server', message.trim())}`,
        code: ErrorCode.sinkAuth,
      };
    return { error: `${where}: ${message}`, code: ErrorCode.sinkUnavailable };
  }

  private async drop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c !== undefined) await c.close().catch(() => {});
  }

  async close(): Promise<void> {
    this.creds.close();
    await this.drop();
  }
}
