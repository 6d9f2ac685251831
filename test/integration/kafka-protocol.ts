// Which protocol version kafkajs 2.2.4 sends for each API, given a broker's ApiVersions ranges, and
// whether the broker accepts it. kafkajs takes min(its newest implemented version, the broker's
// max) and never looks at the broker's minimum (lookup in kafkajs/src/protocol/requests/index.js),
// so a broker that removed old versions (Kafka 4.x, KIP-896) would break every API whose newest
// kafkajs version is below the broker's minimum. `apiVersions` asks a live broker (ApiVersions v0,
// which every broker answers) over a PLAINTEXT listener.
import { createRequire } from 'node:module';
import { connect } from 'node:net';

export type ApiRanges = Record<string, { min: number; max: number }>;

export interface Choice {
  api: string;
  apiKey: number;
  /** the versions kafkajs implements */
  kafkajs: { min: number; max: number };
  /** the broker's range; absent when the broker lacks the API */
  broker?: { min: number; max: number };
  /** the version kafkajs sends */
  sends?: number;
  ok: boolean;
}

interface Definitions {
  versions: string[];
}

export function kafkajsChoices(ranges: ApiRanges): Choice[] {
  const require = createRequire(import.meta.url);
  const { requests } = require('kafkajs/src/protocol/requests/index.js') as {
    requests: Record<string, Definitions>;
  };
  const apiKeys = require('kafkajs/src/protocol/requests/apiKeys.js') as Record<string, number>;
  const out: Choice[] = [];
  for (const [api, def] of Object.entries(requests)) {
    if (def.versions.length === 0) continue; // not implemented by kafkajs
    const apiKey = apiKeys[api]!;
    const v = def.versions.map(Number);
    const kafkajs = { min: Math.min(...v), max: Math.max(...v) };
    const broker = ranges[String(apiKey)];
    const sends = broker === undefined ? undefined : Math.min(kafkajs.max, broker.max);
    const ok = broker !== undefined && sends !== undefined && sends >= broker.min && sends >= kafkajs.min;
    out.push({ api, apiKey, kafkajs, broker, sends, ok });
  }
  return out;
}

/** The broker's ApiVersions ranges, over a PLAINTEXT listener (`host:port`). */
export function apiVersions(broker: string, timeoutMs = 10_000): Promise<ApiRanges> {
  const [host, port] = [
    broker.slice(0, broker.lastIndexOf(':')),
    Number(broker.slice(broker.lastIndexOf(':') + 1)),
  ];
  const clientId = Buffer.from('sluice-protocol-check');
  const req = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  let o = req.writeInt32BE(req.length - 4, 0);
  o = req.writeInt16BE(18, o); // ApiVersions
  o = req.writeInt16BE(0, o); // v0
  o = req.writeInt32BE(1, o); // correlation id
  o = req.writeInt16BE(clientId.length, o);
  clientId.copy(req, o);
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    const timer = setTimeout(
      () => sock.destroy(new Error(`no ApiVersions answer from ${broker}`)),
      timeoutMs,
    );
    let buf = Buffer.alloc(0);
    sock.on('connect', () => sock.write(req));
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      clearTimeout(timer);
      sock.end();
      const error = buf.readInt16BE(8);
      if (error !== 0) return reject(new Error(`ApiVersions error code ${error} from ${broker}`));
      const n = buf.readInt32BE(10);
      const ranges: ApiRanges = {};
      for (let i = 0, p = 14; i < n; i++, p += 6)
        ranges[String(buf.readInt16BE(p))] = { min: buf.readInt16BE(p + 2), max: buf.readInt16BE(p + 4) };
      resolve(ranges);
    });
  });
}
