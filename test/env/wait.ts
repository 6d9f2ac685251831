// Readiness: poll a real check (an HTTP health answer, a Kafka metadata response) until it passes,
// failing fast with the log tail when the process died instead.
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, type ProcRecord } from './proc.ts';

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; procs?: ProcRecord[]; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    const dead = opts.procs?.find((p) => !isRunning(p));
    if (dead) throw new Error(`${what}: ${dead.name} exited; ${dead.log}:\n${tail(dead.log)}`);
    if (Date.now() > deadline) {
      const logs = (opts.procs ?? []).map((p) => `--- ${p.log}\n${tail(p.log, 15)}`).join('\n');
      throw new Error(`${what}: not ready after ${opts.timeoutMs / 1000}s (last error: ${last})\n${logs}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  ca?: string;
  /** client certificate and key (PEM) for servers that require mutual TLS */
  cert?: string;
  key?: string;
  body?: string;
  timeoutMs?: number;
}

/** One small HTTP(S) request with a hard timeout; https verifies against `ca` when given. */
export function http(url: string, opts: HttpOptions = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  const req = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(
      u,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        rejectUnauthorized: u.protocol === 'https:' ? opts.ca !== undefined : undefined,
        timeout: opts.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`timeout: ${url}`)));
    r.on('error', reject);
    r.end(opts.body);
  });
}
