import { describe, expect, test } from '@jest/globals';
import { originOf } from '../../../agent/src/record/origin.ts';
import { eventOf } from '../../../agent/src/record/record.ts';
import { bulkEncoder, documentId, sanitizeIndex } from './encode.ts';
import { itemStatus } from './service.ts';

const line = (ns: string, msg: string) =>
  JSON.stringify({
    timestamp: '2025-01-02T03:04:05.000000001Z',
    kubernetes: { namespace: ns },
    message: msg,
  });

describe('opensearch bulk encoder', () => {
  test('action + document per record, index from the template, deterministic ids', () => {
    const enc = bulkEncoder({ endpoints: ['http://x'], index: 'logs-{{ kubernetes.namespace }}-%Y.%m.%d' });
    const o = originOf('p', 1, 2, 3);
    const events = [eventOf(line('Shop', 'a'), null, o, 0), eventOf(line('ops', 'b'), null, o, 90)];
    const r = enc.encode(events);
    const [action, doc] = r.items[0]!.toString().split('\n');
    expect(JSON.parse(action!)).toEqual({
      index: { _index: 'logs-shop-2025.01.02', _id: documentId(events[0]!) },
    });
    expect(doc).toBe(line('Shop', 'a'));
    expect(r.indices).toEqual(['logs-shop-2025.01.02', 'logs-ops-2025.01.02']);
    // Same position, same id (a retry or re-read overwrites); same bytes elsewhere, another id.
    expect(documentId(eventOf(line('Shop', 'a'), null, o, 0))).toBe(documentId(events[0]!));
    expect(documentId(eventOf(line('Shop', 'a'), null, o, 90))).not.toBe(documentId(events[0]!));
  });
  test('a data stream is written with create', () => {
    const r = bulkEncoder({ endpoints: ['http://x'], dataStream: 'logs-app' }).encode([
      eventOf(line('a', 'b')),
    ]);
    expect(JSON.parse(r.items[0]!.toString().split('\n')[0]!).create._index).toBe('logs-app');
  });
  test.each([
    ['Logs-A/B', 'logs-a_b'],
    ['_x', 'x'],
    ['', 'logs'],
  ])('index name %s → %s', (a, b) => {
    expect(sanitizeIndex(a)).toBe(b);
  });
});

describe('bulk item results', () => {
  test.each([
    ['index', 201, 'ok'],
    ['index', 200, 'ok'],
    ['create', 409, 'ok'],
    ['index', 409, 'fatal'],
    ['index', 429, 'retry'],
    ['index', 503, 'retry'],
    ['index', 400, 'fatal'],
  ] as const)('%s %d → %s', (op, status, want) => {
    expect(itemStatus(op, status)).toBe(want);
  });
});
