// /healthz (no informer's connection froze: Controller.stalled), /readyz (informers synced; a standby
// replica is ready too, so a rollout does not wait for leadership), /metrics.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export function startOperatorHttp(
  host: string,
  port: number,
  deps: {
    registry: Registry;
    /** What is stalled; any entry makes /healthz fail. */
    stalled: () => { what: string; ms: number }[];
    ready: () => boolean;
  },
): Promise<Server> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    const probe = (ok: boolean) =>
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n');
    if (url === '/healthz') {
      const stalled = deps.stalled();
      if (stalled.length === 0) probe(true);
      else {
        const what = stalled.map((s) => `${s.what} silent for ${Math.round(s.ms / 1000)}s`);
        res.writeHead(503, { 'content-type': 'text/plain' }).end(`stalled: ${what.join('; ')}\n`);
      }
    } else if (url === '/readyz') probe(deps.ready());
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
