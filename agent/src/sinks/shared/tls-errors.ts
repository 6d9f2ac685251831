// Which side of a TLS handshake failed, from a Node/OpenSSL error code, so a sink can tell the
// user what to fix instead of "connection error":
// - `clientCert`: the server sent an alert refusing our certificate (none sent, not signed by a CA
//   it trusts, expired, revoked...) — a mutual-TLS server without (a valid) tls.cert/tls.key;
// - `serverCert`: we did not trust the server's certificate — tls.ca (or serverName) is wrong.
export type TlsFailure = 'clientCert' | 'serverCert';

// OpenSSL 3 names alerts ERR_SSL_SSL/TLS_ALERT_*, older ones ERR_SSL_SSLV3_ALERT_* or
// ERR_SSL_TLSV1[3]_ALERT_*; TLS 1.3 servers send certificate_required when none came.
const PEER_REFUSED =
  /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13|SSL\/TLS)_ALERT_(?:BAD_CERTIFICATE|CERTIFICATE_\w+|UNKNOWN_CA|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED)$/;

const NOT_TRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function tlsFailure(code: unknown): TlsFailure | undefined {
  if (typeof code !== 'string') return undefined;
  if (PEER_REFUSED.test(code)) return 'clientCert';
  if (NOT_TRUSTED.has(code)) return 'serverCert';
  return undefined;
}
