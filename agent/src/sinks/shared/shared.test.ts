import { describe, expect, test } from '@jest/globals';
import { eventOf } from '../../record/record.ts';
import { EventFields, lookup } from './fields.ts';
import { compileTemplate } from './template.ts';
import { tlsAdvice, tlsFailure, tlsFailureFromMessage } from './tls-errors.ts';

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

describe('TLS handshake failures', () => {
  test.each([
    ['ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE', 'clientCert'],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'clientCert'],
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'clientCert'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'clientCert'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'serverCert'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'serverCert'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'serverCert'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', undefined],
    ['ECONNREFUSED', undefined],
    [undefined, undefined],
  ])('code %s → %s', (code, kind) => {
    expect(tlsFailure(code)).toBe(kind);
  });

  test.each([
    // what the OpenSearch client reports from a mutual-TLS server without a client certificate
    [
      '405D8EF3907F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:918:SSL alert number 116',
      'clientCert',
    ],
    ['...:ssl/tls alert bad certificate:...SSL alert number 42', 'clientCert'],
    ['...:tlsv1 alert unknown ca:...SSL alert number 48', 'clientCert'],
    ['unable to verify the first certificate', 'serverCert'],
    ['self-signed certificate in certificate chain', 'serverCert'],
    ["Hostname/IP does not match certificate's altnames", 'serverCert'],
    ['connect ECONNREFUSED 127.0.0.1:9200', undefined],
  ])('message %s → %s', (message, kind) => {
    expect(tlsFailureFromMessage(message)).toBe(kind);
  });

  test('the advice names the Secret to fix, or the fields to add', () => {
    const ref = (key: string) => ({ secret: { namespace: 'shop', name: 'client', key } });
    expect(
      tlsAdvice(
        'clientCert',
        { ca: ref('ca.crt'), cert: ref('tls.crt'), key: ref('tls.key') },
        'broker',
        'x',
      ),
    ).toMatch(
      /^the broker refused the TLS client certificate \(certificate from Secret shop\/client key 'tls.crt', key from Secret shop\/client key 'tls.key'.*retries as soon as it changes$/,
    );
    expect(tlsAdvice('clientCert', { ca: ref('ca.crt') }, 'server', 'x')).toMatch(/Add tls.cert and tls.key/);
    expect(tlsAdvice('serverCert', { ca: ref('ca.crt') }, 'server', 'x')).toMatch(
      /not trusted \(CA from Secret shop\/client key 'ca.crt'\).*Set tls.ca/,
    );
    expect(tlsAdvice('serverCert', undefined, 'broker', 'x')).toMatch(/no tls.ca set/);
  });
});
