// A small REST client over a Connection's TLS and credentials (kube/config.ts): GET/LIST, server-side apply,
// status apply, DELETE, CREATE/UPDATE, and streaming watches. Every write goes through `write()`,
// which counts it by verb and resource, so "an unchanged world causes no writes" is measurable.
// The operator uses all of it; the agent its pod and namespace watches and its report Lease.

import type { IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { Connection } from './config.ts';

// node:http through its CommonJS export object, not an ES import: building the ES module namespace
// of node:http loads Node's bundled undici (~12 MB of resident memory on Node 24; agent/src/ops/http.ts).
const { request: httpRequest } = process.getBuiltinModule('node:http');

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<Record<string, unknown>>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  [k: string]: unknown;
}

export class KubeError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, message: string, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export type WriteHook = (verb: string, resource: string) => void;

export interface RequestOpts {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** abort a long request (watches) */
  signal?: AbortSignal;
}

export class KubeClient {
  private readonly conn: Connection;
  private readonly agent: Agent;
  private readonly server: URL;
  onWrite: WriteHook = () => {};
  /** Requests by verb, for "requests per reconcile" figures. */
  readonly requests = new Map<string, number>();

  constructor(conn: Connection) {
    this.conn = conn;
    this.server = conn.server;
    // keep-alive: one TLS handshake serves many requests
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 32,
      ...(conn.ca ? { ca: conn.ca } : {}),
      ...(conn.cert ? { cert: conn.cert } : {}),
      ...(conn.key ? { key: conn.key } : {}),
      rejectUnauthorized: !conn.insecure,
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private options(method: string, path: string, opts: RequestOpts): RequestOptions {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const o: RequestOptions = {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      headers: { accept: 'application/json' },
    };
    if (o.protocol === 'https:') o.agent = this.agent;
    const token = this.conn.token();
    if (token) (o.headers as Record<string, string>).authorization = `Bearer ${token}`;
    if (opts.body !== undefined)
      (o.headers as Record<string, string>)['content-type'] = opts.contentType ?? 'application/json';
    return o;
  }

  private raw(method: string, path: string, opts: RequestOpts): Promise<IncomingMessage> {
    this.requests.set(method, (this.requests.get(method) ?? 0) + 1);
    return Promise.resolve(this.options(method, path, opts)).then(
      (o) =>
        new Promise<IncomingMessage>((resolve, reject) => {
          const req = (o.protocol === 'http:' ? httpRequest : httpsRequest)(o, resolve);
          req.on('error', reject);
          if (opts.signal) {
            if (opts.signal.aborted) req.destroy(new Error('aborted'));
            opts.signal.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
          }
          if (opts.body !== undefined)
            req.end(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
          else req.end();
        }),
    );
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOpts = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const msg = (body as { message?: string })?.message ?? text.slice(0, 300);
      throw new KubeError(status, `${method} ${path}: ${status} ${msg}`, body);
    }
    return body as T;
  }

  /** A write: counted by verb and resource (the plural in the path). */
  write<T = unknown>(method: string, path: string, opts: RequestOpts, verb: string): Promise<T> {
    this.onWrite(verb, resourceOfPath(path));
    return this.request<T>(method, path, opts);
  }

  get<T = KubeObject>(path: string): Promise<T | undefined> {
    return this.request<T>('GET', path).catch((e: unknown) => {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    });
  }

  /** Server-side apply under one field manager; force takes over fields others set. */
  apply<T = KubeObject>(path: string, body: unknown, fieldManager: string): Promise<T> {
    return this.write(
      'PATCH',
      path,
      {
        query: { fieldManager, force: true },
        body,
        contentType: 'application/apply-patch+yaml',
      },
      'apply',
    );
  }

  delete(path: string, query: Record<string, string> = {}): Promise<unknown> {
    return this.write('DELETE', path, { query }, 'delete').catch((e: unknown) => {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    });
  }

  /** A streaming watch: one callback per event line; resolves when the stream ends. */
  async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (type: string, object: KubeObject) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await this.raw('GET', path, { query: { ...query, watch: true }, signal });
    if ((res.statusCode ?? 0) !== 200) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      throw new KubeError(
        res.statusCode ?? 0,
        `watch ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`,
        undefined,
      );
    }
    let rest = '';
    for await (const chunk of res) {
      rest += (chunk as Buffer).toString('utf8');
      let nl = rest.indexOf('\n');
      while (nl >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (line.trim()) {
          const ev = JSON.parse(line) as { type: string; object: KubeObject };
          onEvent(ev.type, ev.object);
        }
        nl = rest.indexOf('\n');
      }
    }
  }
}

export function resourceOfPath(path: string): string {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  // .../namespaces/NS/PLURAL[/NAME[/status]] or .../PLURAL[/NAME]
  const i = parts.lastIndexOf('namespaces');
  const tail = i >= 0 && parts.length > i + 2 ? parts.slice(i + 2) : parts.slice(parts[0] === 'api' ? 2 : 3);
  if (tail.length === 0) return 'namespaces';
  return tail.length >= 3 ? `${tail[0]}/${tail[2]}` : tail[0]!;
}
