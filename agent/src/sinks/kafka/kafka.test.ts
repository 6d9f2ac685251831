import { describe, expect, test } from '@jest/globals';
import { eventOf } from '../../engine/record.ts';
import { kafkaEncoder } from './encode.ts';
import { classifyKafkaError } from './service.ts';

const ev = (o: object) => eventOf(JSON.stringify(o));

describe('kafka encoder', () => {
  const enc = kafkaEncoder({
    brokers: ['b:9092'],
    topic: 'fallback',
    topicField: 'kubernetes.labels.topic',
    key: 'kubernetes.podUid',
    maxMessageBytes: 1024,
  });
  test('topic from the field when valid, else the fallback; key from the field; value is the record', () => {
    const events = [
      ev({ kubernetes: { podUid: 'u1', labels: { topic: 'orders' } } }),
      ev({ kubernetes: { podUid: 'u2', labels: { topic: 'bad topic!' } } }),
      ev({ kubernetes: {} }),
    ];
    const r = enc.encode(events);
    expect(r.messages.map((m) => m?.topic)).toEqual(['orders', 'fallback', 'fallback']);
    expect(r.messages.map((m) => m?.key)).toEqual(['u1', 'u2', null]);
    expect(r.messages[0]!.value.toString()).toBe(
      JSON.stringify({ kubernetes: { podUid: 'u1', labels: { topic: 'orders' } } }),
    );
  });
  test('a record over maxMessageBytes is rejected before sending, with the reason', () => {
    const r = enc.encode([ev({ m: 'x'.repeat(2000) }), ev({ m: 'ok' })]);
    expect(r.messages[0]).toBeNull();
    expect(r.errors[0]).toMatch(/exceeds the maximum message size of 1024 bytes/);
    expect(r.messages[1]).not.toBeNull();
  });
});

describe('kafka error classes', () => {
  test.each([
    [{ name: 'KafkaJSSASLAuthenticationError', message: 'SASL SCRAM SHA512 authentication failed' }, 'auth'],
    [
      { name: 'KafkaJSNumberOfRetriesExceeded', originalError: { type: 'TOPIC_AUTHORIZATION_FAILED' } },
      'auth',
    ],
    [{ name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' }, 'tooLarge'],
    [{ name: 'KafkaJSAggregateError', errors: [{ type: 'RECORD_LIST_TOO_LARGE' }] }, 'tooLarge'],
    [{ name: 'KafkaJSConnectionError', message: 'Connection error: ECONNREFUSED' }, 'retry'],
    [new Error('anything else'), 'retry'],
  ])('%j → %s', (e, kind) => {
    expect(classifyKafkaError(e)).toBe(kind);
  });
});

describe('kafkajs partition grouping (linear replacement)', () => {
  test('same result as kafkajs: partition → messages in order', async () => {
    const { groupMessagesPerPartition } = await import('./kafkajs.ts');
    const messages = Array.from({ length: 10 }, (_, i) => ({ value: String(i) }));
    const r = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{}, {}, {}],
      messages,
      partitioner: ({ message }) => Number((message as { value: string }).value) % 3,
    });
    expect(r).toEqual({
      0: [messages[0], messages[3], messages[6], messages[9]],
      1: [messages[1], messages[4], messages[7]],
      2: [messages[2], messages[5], messages[8]],
    });
    expect(
      groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 }),
    ).toEqual({});
  });
});

describe('lz4 codec', () => {
  test('standard LZ4 frames with independent blocks (what Kafka reads), round trip', async () => {
    const { lz4Codec } = await import('./codecs.ts');
    const data = Buffer.from('{"message":"retrying..."}\n'.repeat(10_000));
    const c = lz4Codec();
    const z = await c.compress({ buffer: data });
    expect(z.readUInt32LE(0)).toBe(0x184d2204); // frame magic
    expect(z[4]! & 0xc0).toBe(0x40); // version 01
    expect(z[4]! & 0x20).toBe(0x20); // block independence
    expect(z.length).toBeLessThan(data.length / 20);
    expect((await c.decompress(z)).equals(data)).toBe(true);
  });
});
