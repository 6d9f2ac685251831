// Which side of a TLS handshake failed, from a Node/OpenSSL error code, so a sink can tell the
// user what to fix instead of "connection error":
// - `clientCert`: the server sent an alert refusing our certificate (none sent, not signed by a CA
//   it trusts, expired, revoked...) — a mutual-TLS server without (a valid) tls.cert/tls.key;
// - `serverCert`: we did not trust the server's certificate — tls.ca (or serverName) is wrong.
// Some clients (the OpenSearch one) keep only the message, so the OpenSSL/Node texts are matched too.

import type { TlsOptions } from '../../../../contract/agent-config/types.ts';
import { refText } from '../../secrets/types.ts';

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

const PEER_REFUSED_TEXT =
  /alert (?:bad certificate|certificate required|unknown ca|certificate (?:expired|revoked|unknown)|unsupported certificate|access denied)/i;
const NOT_TRUSTED_TEXT =
  /unable to verify the first certificate|unable to get (?:local )?issuer certificate|self[- ]signed certificate|certificate has expired|certificate is not yet valid|Hostname\/IP does not match/i;

export function tlsFailureFromMessage(message: unknown): TlsFailure | undefined {
  if (typeof message !== 'string') return undefined;
  if (PEER_REFUSED_TEXT.test(message)) return 'clientCert';
  if (NOT_TRUSTED_TEXT.test(message)) return 'serverCert';
  return undefined;
}

/** What to tell the user about a failed handshake with `peer` ('broker', 'server'), `msg` the cause. */
export function tlsAdvice(kind: TlsFailure, t: TlsOptions | undefined, peer: string, msg: string): string {
  if (kind === 'serverCert')
    return `the ${peer}'s TLS certificate is not trusted (${t?.ca === undefined ? 'no tls.ca set: the system CAs were used' : `CA from ${refText(t.ca.secret)}`}): ${msg}. Set tls.ca to the CA that signed the ${peer}'s certificate; the agent retries as soon as the Secret changes`;
  if (t?.cert === undefined || t.key === undefined)
    return `the ${peer} requires a TLS client certificate and this output has none: ${msg}. Add tls.cert and tls.key (a certificate signed by a CA the ${peer} trusts, and its key, from a Secret) to the output`;
  return `the ${peer} refused the TLS client certificate (certificate from ${refText(t.cert.secret)}, key from ${refText(t.key.secret)}; an empty value sends none): ${msg}. Put a certificate signed by a CA the ${peer} trusts, and its key, in the Secret; the agent retries as soon as it changes`;
}
