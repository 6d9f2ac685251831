import { describe, expect, test } from '@jest/globals';
import { eventOf } from '../../engine/record.ts';
import { EventFields, lookup } from './fields.ts';
import { compileTemplate } from './template.ts';

// The record shape of the API's field names (operator/src/api/fields.ts).
const rec = {
  timestamp: '2025-03-04T05:06:07.123456789Z',
  stream: 'stdout',
  kubernetes: {
    namespace: 'shop',
    pod: 'checkout-7d9f-x1',
    podUid: 'uid-1',
    container: 'app',
    labels: { 'app.kubernetes.io/name': 'checkout', team: 'pay' },
  },
  level: 'warn',
  code: 503,
};
const fields = () => new EventFields().reset(eventOf(JSON.stringify(rec)));

describe('record fields', () => {
  test.each([
    ['kubernetes.namespace', 'shop'],
    ['kubernetes.podUid', 'uid-1'],
    ['kubernetes.labels.app.kubernetes.io/name', 'checkout'],
    ['kubernetes.labels.team', 'pay'],
    ['level', 'warn'],
    ['code', '503'],
    ['kubernetes.labels.missing', undefined],
    ['kubernetes', undefined],
  ])('%s → %s', (path, want) => {
    expect(fields().get(path)).toBe(want);
  });
  test('a literal dotted key wins over nesting', () => {
    expect(lookup({ 'a.b': 1, a: { b: 2 } }, 'a.b')).toBe(1);
  });
  test('the UTC hour comes from the timestamp, also with an offset', () => {
    expect(fields().utcHour()).toBe('2025-03-04T05');
    const e = eventOf('{"timestamp":"2025-03-04T01:30:00.5+02:00","m":1}');
    expect(new EventFields().reset(e).utcHour()).toBe('2025-03-03T23');
    expect(new EventFields().reset(eventOf('{"m":1}')).utcHour(() => Date.UTC(2024, 1, 2, 3))).toBe(
      '2024-02-02T03',
    );
  });
});

describe('templates', () => {
  test.each([
    ['logs-{{ kubernetes.namespace }}-%Y.%m.%d', 'logs-shop-2025.03.04'],
    ['{{kubernetes.labels.app.kubernetes.io/name}}/%H/', 'checkout/05/'],
    ['{{ kubernetes.workload }}-100%%', 'unknown-100%'],
    ['static', 'static'],
  ])('%s → %s', (src, want) => {
    expect(compileTemplate(src).render(fields(), 'unknown')).toBe(want);
  });
  test('constant templates are known as such', () => {
    expect(compileTemplate('a-b').constant).toBe(true);
    expect(compileTemplate('a-%Y').constant).toBe(false);
    expect(compileTemplate('{{ stream }}').fields).toEqual(['stream']);
  });
});

describe('the kubernetes fragment shortcut', () => {
  test('reads kubernetes fields from the head and agrees with a full parse', () => {
    const f = new EventFields();
    const line = JSON.stringify(rec);
    // In an arena: other events around it must not be read.
    const arena = Buffer.from(`{"x":1}${line}{"kubernetes":{"namespace":"other"}}`);
    const e = {
      buf: arena,
      off: 7,
      len: Buffer.byteLength(line),
      group: null,
      arena: null,
      origin: null,
      offset: -1,
    };
    expect(f.reset(e).get('kubernetes.namespace')).toBe('shop');
    expect(f.reset(e).get('kubernetes.labels.app.kubernetes.io/name')).toBe('checkout');
    expect(
      f.reset(eventOf('{"timestamp":"t","message":"{\\"kubernetes\\":{}}"}')).get('kubernetes.pod'),
    ).toBe(undefined);
  });
});
