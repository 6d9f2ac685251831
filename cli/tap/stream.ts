// One tap stream (an agent's /tap, directly or through the apiserver's pods/proxy), read line by
// line. Records go to `onRecord`; the agent's control lines (`{"sluice_tap":...}`) are decoded.
// `pause()` stops reading the response (the caller's output is full): the socket's buffers fill,
// TCP pushes back, and the agent drops and counts what this reader misses instead of anyone
// buffering without bound.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TapSource {
  /** What to call it until the agent names its node. */
  label: string;
  url: string;
  options: RequestOptions;
}

export type StreamResult =
  | { ok: true; node: string; records: number; missed: number; end: string }
  | { ok: false; status: number; from: 'agent' | 'apiserver' | 'network'; message: string };

export interface StreamHandlers {
  onRecord(node: string, line: string): void;
  onMissed(node: string, n: number): void;
  onStart(node: string): void;
}

/** The message of an error body: the agent's `{"error":{...}}`, or the apiserver's Status. */
function errorOf(status: number, body: string): StreamResult {
  try {
    const j = JSON.parse(body) as { error?: { message?: string }; kind?: string; message?: string };
    if (j.error?.message !== undefined) return { ok: false, status, from: 'agent', message: j.error.message };
    if (j.kind === 'Status') return { ok: false, status, from: 'apiserver', message: j.message ?? body };
  } catch {
    // not JSON
  }
  return { ok: false, status, from: 'apiserver', message: body.trim() || `HTTP ${status}` };
}

export function openStream(
  src: TapSource,
  h: StreamHandlers,
): { done: Promise<StreamResult>; cancel(): void; pause(): void; resume(): void } {
  let cancel = () => {};
  let response: IncomingMessage | undefined;
  let paused = false;
  const done = new Promise<StreamResult>((resolve) => {
    const req = (src.url.startsWith('https:') ? httpsRequest : httpRequest)(src.url, {
      ...src.options,
      method: 'GET',
    });
    let node = src.label;
    let records = 0;
    let missed = 0;
    let end = 'closed';
    let settled = false;
    const finish = (r: StreamResult) => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    cancel = () => {
      finish({ ok: true, node, records, missed, end: 'cancelled' });
      req.destroy();
    };
    req.on('error', (e) => finish({ ok: false, status: 0, from: 'network', message: e.message }));
    req.on('response', (res: IncomingMessage) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (d: string) => {
          if (body.length < 65536) body += d;
        });
        res.on('end', () => finish(errorOf(res.statusCode ?? 0, body)));
        return;
      }
      response = res;
      if (paused) res.pause();
      let rest = '';
      const line = (l: string) => {
        if (l === '') return;
        if (l.startsWith('{"sluice_tap":')) {
          const c = (JSON.parse(l) as { sluice_tap: Record<string, unknown> }).sluice_tap;
          if (typeof c.start === 'string') {
            if (typeof c.node === 'string') node = c.node;
            h.onStart(node);
          }
          if (typeof c.missed === 'number' && c.end === undefined) h.onMissed(node, c.missed);
          if (typeof c.end === 'string') {
            end = c.end;
            missed = typeof c.missed === 'number' ? c.missed : missed;
          }
          return;
        }
        records++;
        h.onRecord(node, l);
      };
      res.on('data', (d: string) => {
        const parts = (rest + d).split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) {
          if (settled) return;
          line(p);
        }
      });
      res.on('end', () => {
        line(rest);
        finish({ ok: true, node, records, missed, end });
      });
      res.on('error', (e) => finish({ ok: false, status: 0, from: 'network', message: e.message }));
    });
    req.end();
  });
  return {
    done,
    cancel: () => cancel(),
    pause: () => {
      paused = true;
      response?.pause();
    },
    resume: () => {
      paused = false;
      response?.resume();
    },
  };
}
