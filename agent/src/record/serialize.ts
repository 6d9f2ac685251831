// The event's JSON, the one place its shape is written. Every record becomes one NDJSON line:
//   {"timestamp":"<ts>","stream":"<stdout|stderr|file>",<source fragment>,<body>}
// - source fragment (sourceFragment, built once per file, not per record):
//     "pipeline":"<name>","kubernetes":{...}   (container logs)   or   "pipeline":"<name>","host":{...}
// - body: "message":"<text>" when the text was not parsed into fields; otherwise the fields at the
//   top level ("message" first when keepOriginal asks for it), a JSON object body left untouched
//   spliced as its text — and the fields nested under "log" instead when one of them collides
//   with the event's own keys (RESERVED_KEYS).
// Two writers build it and agree byte for byte (serialize.test.ts): `serialize`, the string path
// (after parse and filters), and `writeEventBytes`, the byte path (a CRI/docker entry straight
// from the read buffer into an output arena, no per-record strings). Sinks read the head back
// (sinks/shared/fields.ts) with EVENT_OPEN and SOURCE_KEY.
import {
  checkJsonObject,
  escapeJsonBytes,
  JSON_COLLISION,
  JSON_EMPTY,
  JSON_SPLICE,
  reservedKeys,
} from './bytes.ts';
import { HOST_STREAM, type LogRecord, STREAM_NAMES } from './record.ts';

/** Top-level keys of the event itself: parsed fields holding any of them go under "log". */
export const RESERVED_KEYS = ['timestamp', 'stream', 'pipeline', 'kubernetes'] as const;
/** RESERVED_KEYS for the byte path's check of a JSON body. */
export const RESERVED_KEY_BYTES = reservedKeys(RESERVED_KEYS);

/** The key of the source's object in the fragment: container records and host-file records. */
export const SOURCE_KEY = { container: 'kubernetes', host: 'host' } as const;

/** Every event starts with these bytes; its timestamp follows. */
export const EVENT_OPEN = '{"timestamp":"';
const STREAM_OPEN = '","stream":"';
/** After the stream's value: the source fragment follows. */
const STREAM_CLOSE = '",';
const MESSAGE_KEY = ',"message":';
const LOG_KEY = ',"log":';

/** The `"pipeline":...,"<source key>":{...}` fragment of a file's records. */
export function sourceFragment(
  pipeline: string,
  key: (typeof SOURCE_KEY)[keyof typeof SOURCE_KEY],
  obj: Record<string, unknown>,
): string {
  return `"pipeline":${JSON.stringify(pipeline)},"${key}":${JSON.stringify(obj)}`;
}

/**
 * Parsed fields that would collide with the event's own keys (RESERVED_KEYS, spelt out, and the
 * `host` object of a host-file record, whose stream is HOST_STREAM), as they are or dotted.
 */
function collides(f: Record<string, unknown>, stream: string): boolean {
  if (
    f.timestamp !== undefined ||
    f.stream !== undefined ||
    f.kubernetes !== undefined ||
    f.pipeline !== undefined ||
    (stream === HOST_STREAM && f.host !== undefined)
  )
    return true;
  // A dotted key under one of them ("kubernetes.namespace"): search engines expand dots into
  // objects, so it would land inside the event's own object and spoof it.
  for (const k in f) {
    const d = k.indexOf('.');
    if (d > 0 && reservedHead(k.slice(0, d), stream)) return true;
  }
  return false;
}

function reservedHead(k: string, stream: string): boolean {
  return (
    (RESERVED_KEYS as readonly string[]).includes(k) || (k === SOURCE_KEY.host && stream === HOST_STREAM)
  );
}

/** The string path: the event of a record, after parse and filters. */
export function serialize(r: LogRecord, keepOriginal: boolean): string {
  const head = `${EVENT_OPEN}${r.ts}${STREAM_OPEN}${r.stream}${STREAM_CLOSE}${r.source.fragment()}`;
  const f = r.fields;
  if (f === undefined) return `${head}${MESSAGE_KEY}${JSON.stringify(r.message)}}`;
  const extra = keepOriginal && !('message' in f) ? `${MESSAGE_KEY}${JSON.stringify(r.message)}` : '';
  if (collides(f, r.stream)) return `${head}${extra}${LOG_KEY}${JSON.stringify(f)}}`;
  if (r.pristine) {
    const m = r.message;
    let i = 1;
    while (i < m.length && (m.charCodeAt(i) === 32 || m.charCodeAt(i) === 9)) i++;
    if (m.charCodeAt(i) === 0x7d) return `${head}${extra}}`;
    return `${head}${extra},${m.slice(1)}`;
  }
  const body = JSON.stringify(f);
  return body.length === 2 ? `${head}${extra}}` : `${head}${extra},${body.slice(1)}`;
}

const OPEN_BYTES = Buffer.from(EVENT_OPEN);
/** The stream part, by stream number (STREAM_NAMES). */
const STREAM_BYTES = STREAM_NAMES.map((s) => Buffer.from(`${STREAM_OPEN}${s}${STREAM_CLOSE}`));
const MESSAGE_BYTES = Buffer.from(`${MESSAGE_KEY}"`);

/** Bytes writeEventBytes may write besides the timestamp, the fragment and 6 × the body. */
export const EVENT_BYTES_OVERHEAD =
  OPEN_BYTES.length + Math.max(...STREAM_BYTES.map((b) => b.length)) + MESSAGE_BYTES.length + 2;

/**
 * The byte path: the event of one container entry written into dst at pos (which has room for
 * EVENT_BYTES_OVERHEAD + timestamp + fragment + 6 × body bytes). A JSON object body is spliced
 * as it is when `spliceJson`; other bodies become the message. Returns the end, or -1 when the
 * body needs the string path (not valid UTF-8, or a JSON object whose keys collide).
 */
export function writeEventBytes(
  dst: Buffer,
  pos: number,
  tsBuf: Buffer,
  tsS: number,
  tsE: number,
  stream: number,
  fragment: Buffer,
  body: Buffer,
  spliceJson: boolean,
): number {
  const blen = body.length;
  let p = pos;
  p += OPEN_BYTES.copy(dst, p);
  p += tsBuf.copy(dst, p, tsS, tsE);
  p += STREAM_BYTES[stream].copy(dst, p);
  p += fragment.copy(dst, p);
  if (spliceJson && blen > 1 && body[0] === 0x7b) {
    const k = checkJsonObject(body, 0, blen, RESERVED_KEY_BYTES);
    if (k === JSON_SPLICE) {
      dst[p++] = 0x2c;
      return p + body.copy(dst, p, 1, blen);
    }
    if (k === JSON_EMPTY) {
      dst[p++] = 0x7d;
      return p;
    }
    if (k === JSON_COLLISION) return -1;
  }
  p += MESSAGE_BYTES.copy(dst, p);
  p = escapeJsonBytes(body, 0, blen, dst, p);
  if (p < 0) return -1;
  dst[p++] = 0x22;
  dst[p++] = 0x7d;
  return p;
}
