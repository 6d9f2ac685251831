// /healthz (no step of the agent's work stalled: watchdog.ts), /readyz (config loaded, outputs running), /metrics, /status (JSON),
// /tap (`sluice tap`, authorised per request: tap-http.ts).
import type { Server } from 'node:http';
import type { MetricsRegistry } from './metrics.ts';
import { handleTap, type TapHttpDeps } from './tap-http.ts';
import type { Stalled } from './watchdog.ts';

// Not `import { createServer } from 'node:http'`: building the ES module namespace of node:http
// reads its lazy WebSocket/CloseEvent/MessageEvent getters, which load Node's bundled undici
// (~12 MB of resident memory on Node 24, for nothing the agent uses). The CommonJS export object
// does not (docs/benchmarks.md, "Where the memory goes").
const { createServer } = process.getBuiltinModule('node:http');

export function startHttp(
  host: string,
  port: number,
  deps: {
    registry: Pick<MetricsRegistry, 'contentType' | 'metrics'>;
    /** Steps in flight past their limit; any makes /healthz fail (the kubelet restarts the agent). */
    stalled: () => Stalled[];
    ready: () => boolean;
    status: () => unknown;
    tap?: TapHttpDeps;
  },
): Promise<Server> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/healthz') {
      const stalled = deps.stalled();
      if (stalled.length === 0) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      else {
        const what = stalled.map((s) => `${s.what} in flight for ${Math.round(s.ms / 1000)}s`);
        res.writeHead(503, { 'content-type': 'text/plain' }).end(`stalled: ${what.join('; ')}\n`);
      }
    } else if (url === '/readyz') {
      const ok = deps.ready();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ready\n' : 'not ready\n');
    } else if (url === '/metrics') {
      deps.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': deps.registry.contentType }).end(body),
        (e: Error) => res.writeHead(500).end(e.message),
      );
    } else if (url === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(deps.status())}\n`);
    } else if (url === '/tap' && deps.tap !== undefined) {
      const tap = deps.tap;
      handleTap(req, res, tap).catch((e: Error) => {
        tap.hub.stats.request('error');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${e.message}\n`);
      });
    } else res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
