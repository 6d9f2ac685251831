// /healthz (the process and its informers are alive), /readyz (informers synced; a standby
// replica is ready too, so a rollout does not wait for leadership), /metrics.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export function startOperatorHttp(
  host: string,
  port: number,
  deps: { registry: Registry; healthy: () => boolean; ready: () => boolean },
): Promise<Server> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const probe = (ok: boolean) =>
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    if (url === '/healthz') probe(deps.healthy());
    else if (url === '/readyz') probe(deps.ready());
    else if (url === '/metrics')
      deps.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': deps.registry.contentType }).end(body),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    else res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
