// The Kafka I/O: an idempotent producer (acks=all, one request in flight) built from the options
// and the current Secret values. A request resolves ok only after the broker acknowledged it.
// Failures are classified: message too large → the request is halved until the offending record
// stands alone, which is rejected (dead letter); authentication/authorization, and a TLS handshake
// the broker refused (client certificate) or we refused (broker certificate) → retried, with the
// producer rebuilt from fresh credentials as soon as a Secret its own options reference changes
// (a rotation of another output's Secret does not touch this producer); anything else
// (broker down, leader moving, timeouts) → retried. kafkajs's own retries are kept short so the
// shared driver owns the backoff and the error reaches status quickly.
import type { Kafka, Producer, SASLOptions, TopicMessages } from 'kafkajs';
import { ErrorCode } from '../../../agent/src/ops/catalogue.ts';
import { refText, SecretError } from '../../../agent/src/secrets/types.ts';
import { Credentials } from '../../../agent/src/sinks/shared/credentials.ts';
import { resolveTls } from '../../../agent/src/sinks/shared/tls.ts';
import { tlsAdvice, tlsFailure } from '../../../agent/src/sinks/shared/tls-errors.ts';
import type {
  ReconnectReason,
  SendResult,
  SendStatus,
  Service,
  SinkContext,
} from '../../../agent/src/sinks/types.ts';
import type { KafkaOptions } from '../../../contract/agent-config/types.ts';
import { compressionType } from './codecs.ts';
import type { KafkaRequest } from './encode.ts';
import { defaultPartitioner, loadKafkajs } from './kafkajs.ts';

type Kind = 'auth' | 'clientCert' | 'serverCert' | 'tooLarge' | 'retry';

const AUTH_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
]);
const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

interface KErr {
  name?: string;
  code?: string;
  type?: string;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

/** The kind of a kafkajs error, looking through retry wrappers and aggregates. */
export function classifyKafkaError(e: unknown, depth = 0): Kind {
  if (e === null || typeof e !== 'object' || depth > 5) return 'retry';
  const k = e as KErr;
  if (k.name === 'KafkaJSSASLAuthenticationError' || (k.type !== undefined && AUTH_TYPES.has(k.type)))
    return 'auth';
  if (k.type !== undefined && TOO_LARGE_TYPES.has(k.type)) return 'tooLarge';
  const tls = tlsFailure(k.code);
  if (tls !== undefined) return tls;
  for (const inner of [k.cause, k.originalError, ...(k.errors ?? [])]) {
    const c = classifyKafkaError(inner, depth + 1);
    if (c !== 'retry') return c;
  }
  return 'retry';
}

function messageOf(e: unknown): string {
  const k = e as KErr;
  const inner = k.originalError ?? k.cause;
  const base = k.message ?? String(e);
  return inner !== undefined &&
    inner !== null &&
    (inner as KErr).message !== undefined &&
    (inner as KErr).message !== base
    ? `${base}: ${(inner as KErr).message}`
    : base;
}

export class KafkaService implements Service<KafkaRequest> {
  private readonly o: KafkaOptions;
  private readonly ctx: SinkContext;
  private producer: Producer | undefined;
  private compression = 0;
  /** The Secret values the producer is built with; tells when one of them changed. */
  private readonly creds: Credentials;

  constructor(o: KafkaOptions, ctx: SinkContext) {
    this.o = o;
    this.ctx = ctx;
    this.creds = new Credentials(o, ctx.secrets);
  }

  onRecover(wake: () => void): void {
    this.creds.onChange(wake);
  }

  private async connect(): Promise<Producer> {
    const k = await loadKafkajs();
    this.creds.begin();
    this.compression = compressionType(k, this.o.compression ?? 'zstd');
    const s = this.o.sasl;
    const ssl = await resolveTls(this.o.tls, this.creds);
    const kafka: Kafka = new k.Kafka({
      clientId: 'sluice-agent',
      brokers: this.o.brokers,
      ssl,
      sasl:
        s === undefined
          ? undefined
          : ({
              mechanism: s.mechanism,
              username: await this.creds.get(s.username.secret),
              password: await this.creds.get(s.password.secret),
            } as SASLOptions),
      connectionTimeout: 10_000,
      authenticationTimeout: 10_000,
      requestTimeout: this.o.requestTimeoutMs ?? 30_000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
      logLevel: k.logLevel.NOTHING,
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: defaultPartitioner(k),
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    try {
      await producer.connect();
    } catch (e) {
      await producer.disconnect().catch(() => {});
      throw e;
    }
    return producer;
  }

  private async drop(reason?: ReconnectReason): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    if (p === undefined) return;
    if (reason !== undefined) this.ctx.reconnected?.(reason);
    await p.disconnect().catch(() => {});
  }

  /** Sends the given messages; halves a request the broker finds too large. */
  private async sendSome(
    p: Producer,
    req: KafkaRequest,
    idx: number[],
    results: SendStatus[],
    errors: (string | undefined)[],
  ): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const i of idx) {
      const m = req.messages[i]!;
      let t = byTopic.get(m.topic);
      if (t === undefined) {
        t = { topic: m.topic, messages: [] };
        byTopic.set(m.topic, t);
      }
      t.messages.push({ key: m.key, value: m.value, headers: this.o.headers });
    }
    try {
      await p.sendBatch({ topicMessages: [...byTopic.values()], acks: -1, compression: this.compression });
      for (const i of idx) results[i] = 'ok';
    } catch (e) {
      if (classifyKafkaError(e) !== 'tooLarge') throw e;
      if (idx.length === 1) {
        results[idx[0]] = 'fatal';
        errors[idx[0]] = `the broker rejected the record as too large: ${messageOf(e)}`;
        return;
      }
      const half = idx.length >> 1;
      await this.sendSome(p, req, idx.slice(0, half), results, errors);
      await this.sendSome(p, req, idx.slice(half), results, errors);
    }
  }

  async send(req: KafkaRequest): Promise<SendResult> {
    const n = req.messages.length;
    const results: SendStatus[] = new Array(n);
    const errors = [...req.errors];
    const idx: number[] = [];
    for (let i = 0; i < n; i++) {
      if (req.messages[i] === null) results[i] = 'fatal';
      else {
        results[i] = 'retry';
        idx.push(i);
      }
    }
    const rejectedError = errors.find((e) => e !== undefined);
    try {
      if (idx.length > 0) {
        if ((await this.creds.changed()) && this.producer !== undefined) await this.drop('secret');
        this.producer ??= await this.connect();
        await this.sendSome(this.producer, req, idx, results, errors);
      }
      return {
        status: 'partial',
        results,
        errors,
        error: rejectedError,
        code: rejectedError !== undefined ? ErrorCode.sinkRejected : undefined,
      };
    } catch (e) {
      await this.drop('error');
      return { status: 'partial', results, errors, ...this.describe(e) };
    }
  }

  private describe(e: unknown): { error: string; code: string } {
    if (e instanceof SecretError)
      return { error: `kafka ${this.o.brokers.join(',')}: ${e.message}`, code: ErrorCode.sinkSecret };
    const kind = classifyKafkaError(e);
    if (kind === 'auth') {
      const s = this.o.sasl;
      const where =
        s === undefined
          ? 'the broker refused this client (no SASL configured)'
          : `${s.mechanism} with the user from ${refText(s.username.secret)} and the password from ${refText(s.password.secret)}`;
      return {
        error: `kafka ${this.o.brokers.join(',')}: authentication failed (${where}): ${messageOf(e)}. Fix the credentials in the Secret; the agent retries as soon as it changes`,
        code: ErrorCode.sinkAuth,
      };
    }
    if (kind === 'clientCert' || kind === 'serverCert')
      return {
        error: `kafka ${this.o.brokers.join(',')}: ${tlsAdvice(kind, this.o.tls, 'broker', messageOf(e))}`,
        code: ErrorCode.sinkAuth,
      };
    return { error: `kafka ${this.o.brokers.join(',')}: ${messageOf(e)}`, code: ErrorCode.sinkUnavailable };
  }

  async close(): Promise<void> {
    this.creds.close();
    await this.drop();
  }
}
