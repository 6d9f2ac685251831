// An output at run time: its buffer (memory or disk), its sink and the driver between them.
import { DiskBuffer } from '../buffer/disk/index.ts';
import { MemoryBuffer } from '../buffer/memory.ts';
import type { OutputBuffer } from '../buffer/types.ts';
import { DEFAULTS } from '../config/defaults.ts';
import type { OutputConfig } from '../config/types.ts';
import { DropReason } from '../ops/catalogue.ts';
import type { OutputStats } from '../ops/stats.ts';
import { SinkDriver } from '../sinks/driver.ts';
import { makeSink } from '../sinks/registry.ts';
import { type Event, holdEvent, releaseEvent } from './record.ts';

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
    const sink = makeSink(config);
    this.closeSink = () => sink.service.close();
    const dlq = config.deadLetter;
    this.driver = new SinkDriver(
      this.buffer,
      sink,
      {
        maxRecords: config.batch?.maxRecords ?? DEFAULTS.batchMaxRecords,
        maxBytes: config.batch?.maxBytes ?? DEFAULTS.batchMaxBytes,
        maxAgeMs: config.batch?.maxAgeMs ?? DEFAULTS.batchMaxAgeMs,
        initialBackoffMs: config.retry?.initialBackoffMs ?? DEFAULTS.retryInitialMs,
        maxBackoffMs: config.retry?.maxBackoffMs ?? DEFAULTS.retryMaxMs,
        deadLetter:
          dlq === undefined
            ? undefined
            : (events: Event[]) => {
                const target = ctx.deadLetter(dlq);
                if (target === undefined) return false;
                for (const e of events) {
                  // The dead-letter output now holds the record until it acknowledges it.
                  holdEvent(e);
                  if (!target.buffer.push(e)) {
                    releaseEvent(e);
                    target.stats.drop(DropReason.bufferFull);
                  }
                }
                target.buffer.flushProducer();
                return true;
              },
        onError: (m) => ctx.log('warn', 'output send failed; retrying', { output: config.id, err: m }),
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
