// The NDJSON event of a record, built once per record:
//   {"timestamp":"...","stream":"stdout","pipeline":"...","kubernetes":{...},<parsed fields> | "message":"..."}
// Parsed fields go to the top level; if they collide with timestamp/stream/pipeline/kubernetes they are
// nested under "log" instead. A JSON body parsed and left untouched is spliced as text.
import type { LogRecord } from './record.ts';

export function serialize(r: LogRecord, keepOriginal: boolean): string {
  const head = `{"timestamp":"${r.ts}","stream":"${r.stream}",${r.source.fragment()}`;
  const f = r.fields;
  if (f === undefined) return `${head},"message":${JSON.stringify(r.message)}}`;
  const extra = keepOriginal && !('message' in f) ? `,"message":${JSON.stringify(r.message)}` : '';
  if (
    f.timestamp !== undefined ||
    f.stream !== undefined ||
    f.kubernetes !== undefined ||
    f.pipeline !== undefined
  )
    return `${head}${extra},"log":${JSON.stringify(f)}}`;
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
