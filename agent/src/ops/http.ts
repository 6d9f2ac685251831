// /healthz (no step of the agent's work stalled: watchdog.ts), /readyz (config loaded, outputs running),
// /metrics, /status (JSON; both only for authorised callers in the cluster: endpoint-auth.ts),
// /tap (`sluice tap`, authorised per request: tap-http.ts), on this port or on its own (startTapHttp).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { EndpointGuard } from './endpoint-auth.ts';
import type { MetricsRegistry } from './metrics.ts';
import { handleTap, type TapHttpDeps } from './tap-http.ts';
import type { Stalled } from './watchdog.ts';

// Not `import { createServer } from 'node:http'`: building the ES module namespace of node:http
// reads its lazy WebSocket/CloseEvent/MessageEvent getters, which load Node's bundled undici
// (~12 MB of resident memory on Node 24, for nothing the agent uses). The CommonJS export object
// does not (docs/benchmarks.md, "Where the memory goes").
const { createServer } = process.getBuiltinModule('node:http');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function listen(host: string, port: number, handler: Handler): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function serveTap(req: IncomingMessage, res: ServerResponse, tap: TapHttpDeps): void {
  handleTap(req, res, tap).catch((e: Error) => {
    tap.hub.stats.request('error');
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`${e.message}\n`);
  });
}

/** Runs `serve` once the guard (if any) admits the caller; otherwise 401/403/503 with the reason. */
function guarded(
  guard: (() => Promise<EndpointGuard>) | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  serve: () => void,
): void {
  if (guard === undefined) {
    serve();
    return;
  }
  guard()
    .then((g) => g(req, path))
    .then(
      (d) => {
        if (d.ok) {
          serve();
          return;
        }
        res
          .writeHead(d.status, {
            'content-type': 'text/plain',
            'cache-control': 'no-store',
            ...(d.status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
          })
          .end(`${d.message}\n`);
      },
      (e: Error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
    );
}

export function startHttp(
  host: string,
  port: number,
  deps: {
    registry: Pick<MetricsRegistry, 'contentType' | 'metrics'>;
    /** Steps in flight past their limit; any makes /healthz fail (the kubelet restarts the agent). */
    stalled: () => Stalled[];
    ready: () => boolean;
    status: () => unknown;
    /** Who may read /metrics and /status; none: anyone who reaches the port (`sluice run`). */
    guard?: () => Promise<EndpointGuard>;
    /** Served here when given; the DaemonSet serves it on its own port instead. */
    tap?: TapHttpDeps;
  },
): Promise<Server> {
  return listen(host, port, (req, res) => {
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
      guarded(deps.guard, req, res, url, () =>
        deps.registry.metrics().then(
          (body) => res.writeHead(200, { 'content-type': deps.registry.contentType }).end(body),
          (e: Error) => res.writeHead(500).end(e.message),
        ),
      );
    } else if (url === '/status') {
      guarded(deps.guard, req, res, url, () =>
        res
          .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(`${JSON.stringify(deps.status())}\n`),
      );
    } else if (url === '/tap' && deps.tap !== undefined) serveTap(req, res, deps.tap);
    else res.writeHead(404).end();
  });
}

/**
 * /tap alone, on its own port: the NetworkPolicy admits it from anywhere (the apiserver's pods/proxy
 * comes from a node address, not a pod) while the metrics port admits only the monitoring stack.
 */
export function startTapHttp(host: string, port: number, tap: TapHttpDeps): Promise<Server> {
  return listen(host, port, (req, res) => {
    if ((req.url ?? '/').split('?')[0] === '/tap') serveTap(req, res, tap);
    else res.writeHead(404).end();
  });
}
