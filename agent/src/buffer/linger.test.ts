// A partial batch goes out maxAgeMs after its oldest record arrived, not maxAgeMs after the
// driver asked for it: records that arrived while the previous batch was being sent wait only
// what is left of their linger (they used to wait the whole send plus the whole maxAgeMs).
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { OutEvent } from '../record/record.ts';
import { MemoryBuffer } from './memory.ts';

const event = () => new OutEvent(Buffer.from('{"m":1}'), 0, 7, null);
const noBarrier = () => Promise.resolve();

describe('linger', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('a record that arrived before the read waits only the rest of its maxAgeMs', async () => {
    const b = new MemoryBuffer(1 << 20, 'block', noBarrier);
    b.push(event());
    b.flushProducer();
    jest.advanceTimersByTime(150); // the previous send took 150 ms
    let got: number | undefined;
    void b.read(1000, 1 << 20, 200).then((e) => {
      got = e.length;
    });
    await jest.advanceTimersByTimeAsync(49);
    expect(got).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(got).toBe(1);
  });

  test('a record older than maxAgeMs at the read is served at once', async () => {
    const b = new MemoryBuffer(1 << 20, 'block', noBarrier);
    b.push(event());
    jest.advanceTimersByTime(300);
    let got: number | undefined;
    void b.read(1000, 1 << 20, 200).then((e) => {
      got = e.length;
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(got).toBe(1);
  });

  test('a read on an empty buffer serves the first record maxAgeMs after it arrived', async () => {
    const b = new MemoryBuffer(1 << 20, 'block', noBarrier);
    let got: number | undefined;
    void b.read(1000, 1 << 20, 200).then((e) => {
      got = e.length;
    });
    await jest.advanceTimersByTimeAsync(500); // idle: nothing to serve
    expect(got).toBeUndefined();
    b.push(event());
    b.flushProducer();
    await jest.advanceTimersByTimeAsync(199);
    expect(got).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(got).toBe(1);
  });

  test('a full batch does not wait', async () => {
    const b = new MemoryBuffer(1 << 20, 'block', noBarrier);
    let got: number | undefined;
    void b.read(2, 1 << 20, 200).then((e) => {
      got = e.length;
    });
    b.push(event());
    b.push(event());
    b.flushProducer();
    await jest.advanceTimersByTimeAsync(0);
    expect(got).toBe(2);
  });
});
