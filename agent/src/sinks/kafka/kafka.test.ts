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
