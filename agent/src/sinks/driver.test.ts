// The shared driver with a scripted service: per-event verdicts, errors attached to dead-lettered
// events, error codes counted, and a service that signals recovery cutting a long backoff short.
import { describe, expect, test } from '@jest/globals';
import { MemoryBuffer } from '../buffer/memory.ts';
import { OutputStats } from '../ops/stats.ts';
import { type Event, eventOf, eventText } from '../record/record.ts';
import { SinkDriver } from './driver.ts';
import type { SendResult, Service, Sink } from './types.ts';

function scripted(answers: ((events: Event[]) => SendResult)[]) {
  let wake: (() => void) | undefined;
  const sent: string[][] = [];
  const service: Service<Event[]> = {
    async send(events) {
      sent.push(events.map(eventText));
      return (answers.shift() ?? (() => ({ status: 'ok' }) as SendResult))(events);
    },
    async close() {},
    onRecover(w) {
      wake = w;
    },
  };
  const sink: Sink<Event[]> = { encoder: { encode: (e) => e }, service };
  return { sink, sent, wake: () => wake?.() };
}

async function run(
  sink: Sink,
  lines: string[],
  opts: { maxBackoffMs?: number; dead?: [string, string][] } = {},
) {
  const buffer = new MemoryBuffer(1 << 20, 'block', async () => {});
  const stats = new OutputStats();
  const driver = new SinkDriver(
    buffer,
    sink as Sink,
    {
      maxRecords: 100,
      maxBytes: 1 << 20,
      maxAgeMs: 5,
      initialBackoffMs: opts.maxBackoffMs ?? 1,
      maxBackoffMs: opts.maxBackoffMs ?? 1,
      deadLetter: opts.dead
        ? (events, errors) => {
            events.forEach((e, i) => {
              opts.dead!.push([eventText(e), errors[i]!]);
            });
            return true;
          }
        : undefined,
    },
    stats,
  );
  for (const l of lines) buffer.push(eventOf(l));
  driver.start();
  buffer.flushProducer();
  return { driver, buffer, stats };
}

const until = async (f: () => boolean) => {
  for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('sink driver', () => {
  test('partial results: ok done, retry re-sent alone, fatal dead-lettered with its own error', async () => {
    const s = scripted([
      () => ({
        status: 'partial',
        results: ['ok', 'retry', 'fatal'],
        errors: [undefined, 'busy', 'mapping conflict on b'],
        error: 'mapping conflict on b',
        code: 'SLUICE_ERR_SINK_REJECTED',
      }),
    ]);
    const dead: [string, string][] = [];
    const { stats, driver, buffer } = await run(s.sink, ['a', 'x', 'b'], { dead });
    await until(() => stats.recordsOut === 2);
    expect(s.sent).toEqual([['a', 'x', 'b'], ['x']]);
    expect(dead).toEqual([['b', 'mapping conflict on b']]);
    expect(stats.deadLettered).toBe(1);
    expect(stats.errors.get('SLUICE_ERR_SINK_REJECTED')).toBe(1);
    expect(stats.lastError).toBe('mapping conflict on b');
    const stopped = driver.stop();
    await buffer.close();
    await stopped;
  });

  test('without a dead letter, fatal records are dropped and counted with the reason', async () => {
    const s = scripted([() => ({ status: 'fatal', error: 'too large' })]);
    const { stats, driver, buffer } = await run(s.sink, ['big']);
    await until(() => stats.drops.size > 0);
    expect(Object.fromEntries(stats.drops)).toEqual({ rejected: 1 });
    const stopped = driver.stop();
    await buffer.close();
    await stopped;
  });

  test('a recovery signal (a rotated Secret) ends the backoff at once', async () => {
    const s = scripted([
      () => ({ status: 'retry', error: 'authentication failed', code: 'SLUICE_ERR_SINK_AUTH' }),
    ]);
    const { stats, driver, buffer } = await run(s.sink, ['r'], { maxBackoffMs: 600_000 });
    await until(() => driver.retrying);
    expect(stats.recordsOut).toBe(0);
    s.wake();
    await until(() => stats.recordsOut === 1);
    expect(stats.recordsOut).toBe(1);
    expect(stats.errors.get('SLUICE_ERR_SINK_AUTH')).toBe(1);
    const stopped = driver.stop();
    await buffer.close();
    await stopped;
  });
});
