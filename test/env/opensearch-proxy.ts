// An authenticating TLS reverse proxy for OpenSearch. The integ-test distribution has no security
// plugin, so this stands in for a secured cluster: HTTPS with a certificate of the test CA, and HTTP
// basic auth checked on every request (401 otherwise), so sinks prove they send credentials and
// verify the server. With a second port and a CA, it also listens there for mutual TLS: a client
// certificate signed by that CA is required (the TLS handshake fails without one) and is the only
// credential, as with the security plugin's client-certificate authentication. Run as its own
// process:
//   node opensearch-proxy.ts <port> <target-url> <cert> <key> <username> <password-file> [<mtls-port> <client-ca>]
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer } from 'node:https';

const [port, target, cert, key, username, passwordFile, mtlsPort, clientCa] = process.argv.slice(2);
if (!passwordFile) {
  process.stderr.write(
    'usage: opensearch-proxy.ts <port> <target> <cert> <key> <username> <password-file> [<mtls-port> <client-ca>]\n',
  );
  process.exit(2);
}
const expected = Buffer.from(
  `Basic ${Buffer.from(`${username}:${readFileSync(passwordFile, 'utf8').trim()}`).toString('base64')}`,
);
const upstream = new URL(target!);

function authorized(header: string | undefined): boolean {
  const got = Buffer.from(header ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const forward = (basicAuth: boolean) => (req: IncomingMessage, res: ServerResponse) => {
  if (basicAuth && !authorized(req.headers.authorization)) {
    res.writeHead(401, {
      'www-authenticate': 'Basic realm="sluice-testenv"',
      'content-type': 'application/json',
    });
    res.end('{"error":"unauthorized","status":401}');
    req.resume();
    return;
  }
  const headers = { ...req.headers, host: upstream.host };
  delete headers.authorization;
  const up = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on('error', (err) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`proxy: ${err.message}`);
  });
  req.pipe(up);
};

const tls = { cert: readFileSync(cert!), key: readFileSync(key!) };
const servers = [createServer(tls, forward(true))];
servers[0]!.listen(Number(port), '127.0.0.1', () =>
  process.stdout.write(`opensearch-proxy on ${port} -> ${target}\n`),
);
if (mtlsPort !== undefined && clientCa !== undefined) {
  const mtls = createServer(
    { ...tls, ca: readFileSync(clientCa), requestCert: true, rejectUnauthorized: true },
    forward(false),
  );
  servers.push(mtls);
  mtls.listen(Number(mtlsPort), '127.0.0.1', () =>
    process.stdout.write(`opensearch-proxy (client certificate required) on ${mtlsPort} -> ${target}\n`),
  );
}
let open = servers.length;
for (const sig of ['SIGTERM', 'SIGINT'] as const)
  process.on(sig, () => {
    for (const s of servers) s.close(() => --open === 0 && process.exit(0));
  });
