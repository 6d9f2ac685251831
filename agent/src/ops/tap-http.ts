// GET /tap?pipeline=<id>&limit=N&sample=N: NDJSON of one pipeline's records after its filters.
// Order matters: the caller is authenticated and authorised for the pipeline named in the request
// before the agent says whether it runs it, so a 404 tells nothing to someone who may not tap.
// Errors are JSON `{"error":{"outcome","message"}}` with 400/401/403/404/429/503.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TapHub } from './tap.ts';
import type { TapAuthorizer, TapTarget } from './tap-auth.ts';

export interface TapHttpDeps {
  hub: TapHub;
  authorizer: () => Promise<TapAuthorizer>;
  /** The pipeline this agent runs under that id, if any. */
  pipeline: (id: string) => { kind: string } | undefined;
  node?: string;
}

export function parsePipelineId(id: string): TapTarget | undefined {
  const ns = /^LogPipeline\/([a-z0-9][-a-z0-9.]*)\/([a-z0-9][-a-z0-9.]*)$/.exec(id);
  if (ns !== null) return { kind: 'LogPipeline', namespace: ns[1], name: ns[2] };
  const cl = /^ClusterLogPipeline\/([a-z0-9][-a-z0-9.]*)$/.exec(id);
  if (cl !== null) return { kind: 'ClusterLogPipeline', name: cl[1] };
  return undefined;
}

function fail(res: ServerResponse, hub: TapHub, status: number, outcome: string, message: string): void {
  hub.stats.request(outcome);
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(`${JSON.stringify({ error: { outcome, message } })}\n`);
}

function bearer(req: IncomingMessage): string | undefined {
  // Through `pods/proxy` the apiserver strips Authorization after authenticating the caller, so the
  // CLI repeats its token in this header; a direct caller may use either.
  const h = req.headers['x-sluice-tap-token'];
  if (typeof h === 'string' && h !== '') return h.trim();
  const a = req.headers.authorization;
  const m = a === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(a);
  return m === null ? undefined : m[1];
}

const count = (v: string | null, dflt: number, min: number): number | undefined => {
  if (v === null || v === '') return dflt;
  const n = Number(v);
  return Number.isInteger(n) && n >= min && n <= 1e9 ? n : undefined;
};

export async function handleTap(req: IncomingMessage, res: ServerResponse, deps: TapHttpDeps): Promise<void> {
  const { hub } = deps;
  if (req.method !== 'GET') return fail(res, hub, 405, 'bad_request', 'use GET');
  const q = new URL(req.url ?? '/', 'http://agent').searchParams;
  const id = q.get('pipeline') ?? '';
  const target = parsePipelineId(id);
  const limit = count(q.get('limit'), 0, 0);
  const every = count(q.get('sample'), 1, 1);
  if (target === undefined)
    return fail(
      res,
      hub,
      400,
      'bad_request',
      `pipeline must be LogPipeline/<namespace>/<name> or ClusterLogPipeline/<name>, got '${id}'`,
    );
  if (limit === undefined || every === undefined)
    return fail(res, hub, 400, 'bad_request', 'limit must be an integer >= 0 and sample an integer >= 1');
  const d = await (await deps.authorizer()).check(bearer(req), target);
  if (!d.ok) return fail(res, hub, d.status, d.outcome, d.message);
  if (deps.pipeline(id) === undefined)
    return fail(
      res,
      hub,
      404,
      'not_found',
      `this agent runs no pipeline ${id} (not applied yet, or invalid)`,
    );
  if (req.destroyed) return;
  const sub = hub.subscribe({
    pipeline: id,
    limit,
    every,
    sink: {
      write: (b) => res.write(b),
      onDrain: (cb) => res.once('drain', cb),
      end: (b) => res.end(b),
    },
  });
  if (sub === undefined)
    return fail(
      res,
      hub,
      429,
      'busy',
      `this agent serves ${hub.maxSubscribers} taps already; try again later`,
    );
  hub.stats.request('ok');
  res.writeHead(200, {
    'content-type': 'application/x-ndjson',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  // The first line names the node, and gets the headers through any proxy at once.
  res.write(`${JSON.stringify({ sluice_tap: { start: id, node: deps.node ?? null, user: d.user } })}\n`);
  res.once('close', () => sub.finish('closed'));
}
