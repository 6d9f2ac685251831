// One throwaway CA per environment, made with openssl, and one serving certificate for every TLS
// endpoint on loopback (kube-apiserver, Kafka's SASL_SSL and SSL listeners, the OpenSearch auth
// proxy), and one client certificate for the endpoints that require mutual TLS (Kafka's SSL listener).
// More client certificates (the real node's kubelet, the apiserver's client of kubelets) are issued
// on demand with `issueClientCert`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  /** server certificate (leaf only) and its PKCS#8 key */
  cert: string;
  key: string;
  /** key + leaf + CA in one PEM file (Kafka's PEM keystore) */
  keystore: string;
  /** RSA key signing and verifying ServiceAccount tokens */
  saKey: string;
  /** a client certificate (leaf, CN=sluice-client, clientAuth only) and its key, signed by the CA */
  clientCert: string;
  clientKey: string;
}

const sans = [
  'DNS:localhost',
  'IP:127.0.0.1',
  // the in-cluster names and service IP of the apiserver, for tokens and clients that use them
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
  'IP:10.96.0.1',
  // the address pods of the real node (components/node.ts) reach every other test server through
  'IP:10.96.0.2',
];

/**
 * A client certificate signed by the environment's CA for `subject` (e.g. `/O=system:nodes/CN=system:node:x`:
 * the apiserver takes CN as the user and each O as a group). Returns the PEM files' paths.
 */
export function issueClientCert(
  pki: Pick<Pki, 'dir' | 'caCert' | 'caKey'>,
  name: string,
  subject: string,
  keyUsage = 'digitalSignature,keyEncipherment',
): { cert: string; key: string } {
  const p = (f: string) => join(pki.dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p(`${name}.key`),
    '-out',
    p(`${name}.csr`),
    '-subj',
    subject,
  );
  writeFileSync(
    p(`${name}.ext`),
    ['basicConstraints=CA:FALSE', `keyUsage=critical,${keyUsage}`, 'extendedKeyUsage=clientAuth', ''].join(
      '\n',
    ),
  );
  ssl(
    'x509',
    '-req',
    '-in',
    p(`${name}.csr`),
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    '-CAcreateserial',
    '-out',
    p(`${name}.crt`),
    '-days',
    '825',
    '-extfile',
    p(`${name}.ext`),
  );
  return { cert: p(`${name}.crt`), key: p(`${name}.key`) };
}

export function makePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-days',
    '3650',
    '-subj',
    '/CN=sluice-testenv-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(
    p('server.ext'),
    [
      `subjectAltName=${sans.join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
      '',
    ].join('\n'),
  );
  ssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.crt'),
    '-days',
    '825',
    '-extfile',
    p('server.ext'),
  );
  // A client certificate for mutual TLS (Kafka's SSL listener). Its CN is a user without RBAC
  // bindings should it ever be shown to the apiserver, which trusts the same CA.
  issueClientCert(
    { dir, caCert: p('ca.crt'), caKey: p('ca.key') },
    'client',
    '/CN=sluice-client',
    'digitalSignature',
  );
  ssl('genrsa', '-out', p('sa.key'), '2048');
  const pem = (f: string) => readFileSync(p(f), 'utf8');
  writeFileSync(p('keystore.pem'), pem('server.key') + pem('server.crt') + pem('ca.crt'));
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    cert: p('server.crt'),
    key: p('server.key'),
    keystore: p('keystore.pem'),
    saKey: p('sa.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
  };
}
