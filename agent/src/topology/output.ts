// An output at run time: its buffer (memory or disk), its sink and the driver between them.

import type { OutputConfig } from '../../../contract/agent-config/types.ts';
import { DiskBuffer } from '../buffer/disk/index.ts';
import { MemoryBuffer } from '../buffer/memory.ts';
import type { OutputBuffer } from '../buffer/types.ts';
import { DEFAULTS } from '../config/defaults.ts';
import { DropReason, ErrorCode } from '../ops/catalogue.ts';
import type { OutputStats } from '../ops/stats.ts';
import { deriveOrigin } from '../record/origin.ts';
import { type Event, holdEvent, OutEvent, releaseEvent } from '../record/record.ts';
import type { SecretStore } from '../secrets/types.ts';
import { SinkDriver } from '../sinks/driver.ts';
import { makeSink } from '../sinks/registry.ts';

/**
 * A dead-letter record: the original event with the error and the output that rejected it. Its
 * position is the original's under an origin salted with the output, so copies of one record
 * rejected by two outputs stay two documents in a dead-letter index.
 */
export function deadLetterEvent(e: Event, error: string, output: string): Event {
  const head = Buffer.from(
    `{"timestamp":"${new Date().toISOString()}","error":${JSON.stringify(error)},"output":${JSON.stringify(output)},"record":`,
  );
  const b = Buffer.allocUnsafe(head.length + e.len + 1);
  head.copy(b, 0);
  e.buf.copy(b, head.length, e.off, e.off + e.len);
  b[b.length - 1] = 0x7d;
  const origin = e.origin === null ? null : deriveOrigin(e.origin, output);
  return new OutEvent(b, 0, b.length, e.group, null, origin, e.offset);
}

export class Output {
  readonly id: string;
  readonly config: OutputConfig;
  readonly buffer: OutputBuffer;
  readonly driver: SinkDriver;
  readonly stats: OutputStats;
  private readonly closeSink: () => Promise<void>;

  constructor(
    config: OutputConfig,
    stats: OutputStats,
    ctx: {
      dataDir: string;
      barrier: () => Promise<void>;
      deadLetter: (id: string) => Output | undefined;
      log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
      secrets: SecretStore;
    },
  ) {
    this.id = config.id;
    this.config = config;
    this.stats = stats;
    const b = config.buffer ?? {};
    const whenFull = b.whenFull ?? 'block';
    this.buffer =
      b.type === 'disk'
        ? new DiskBuffer({
            dir: `${ctx.dataDir}/buffers/${encodeURIComponent(config.id)}`,
            maxBytes: b.maxSize ?? DEFAULTS.diskBufferBytes,
            whenFull,
            fsync: b.fsync ?? 'always',
            fsyncIntervalMs: b.fsyncIntervalMs ?? DEFAULTS.fsyncIntervalMs,
            stats,
            log: ctx.log,
          })
        : new MemoryBuffer(b.maxSize ?? DEFAULTS.memoryBufferBytes, whenFull, ctx.barrier);
    const sink = makeSink(config, {
      secrets: ctx.secrets,
      log: ctx.log,
      reconnected: (reason) => {
        stats.reconnect(reason);
        if (reason === 'secret')
          ctx.log('info', 'output reconnecting: a Secret it references changed', { output: config.id });
      },
    });
    this.closeSink = () => sink.service.close();
    const dlq = config.deadLetter;
    this.driver = new SinkDriver(
      this.buffer,
      sink,
      {
        maxRecords: config.batch?.maxRecords ?? sink.batch?.maxRecords ?? DEFAULTS.batchMaxRecords,
        // A memory buffer never holds more than its size: a larger batch would only fill by age.
        maxBytes: Math.min(
          config.batch?.maxBytes ?? sink.batch?.maxBytes ?? DEFAULTS.batchMaxBytes,
          b.type === 'disk'
            ? Number.MAX_SAFE_INTEGER
            : Math.floor((b.maxSize ?? DEFAULTS.memoryBufferBytes) / 2),
        ),
        maxAgeMs: config.batch?.maxAgeMs ?? sink.batch?.maxAgeMs ?? DEFAULTS.batchMaxAgeMs,
        initialBackoffMs: config.retry?.initialBackoffMs ?? DEFAULTS.retryInitialMs,
        maxBackoffMs: config.retry?.maxBackoffMs ?? DEFAULTS.retryMaxMs,
        deadLetter:
          dlq === undefined
            ? undefined
            : (events: Event[], errors: string[]) => {
                const target = ctx.deadLetter(dlq);
                if (target === undefined) return false;
                for (let i = 0; i < events.length; i++) {
                  const e = deadLetterEvent(events[i], errors[i] ?? 'rejected', config.id);
                  // The dead-letter output now holds the record until it acknowledges it.
                  holdEvent(e);
                  target.stats.recordsIn++;
                  if (!target.buffer.push(e)) {
                    releaseEvent(e);
                    target.stats.drop(DropReason.bufferFull);
                  }
                }
                target.buffer.flushProducer();
                return true;
              },
        onError: (m, code) =>
          code === ErrorCode.sinkAuth || code === ErrorCode.sinkSecret
            ? ctx.log('error', 'output credentials rejected or unreadable; fix the Secret, retrying', {
                output: config.id,
                code,
                err: m,
              })
            : ctx.log('warn', 'output send failed', {
                output: config.id,
                code: code ?? ErrorCode.sinkSend,
                err: m,
              }),
      },
      stats,
    );
  }

  start(): void {
    this.driver.start();
  }

  /** Deliver what is buffered (bounded by the caller's deadline), then close. */
  async stop(): Promise<void> {
    const done = this.driver.stop();
    await this.buffer.close();
    await done;
    await this.closeSink();
  }
}
