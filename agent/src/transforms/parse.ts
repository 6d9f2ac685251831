// Parsing a record's text into fields. JSON is only attempted when the text starts with '{'
// (after optional spaces); a JSON object parsed from the text stays `pristine` so the serializer
// can splice the original text instead of re-serializing it. Failed parses keep the raw message.
import type { ParseConfig } from '../../../contract/agent-config/types.ts';
import { compilePattern } from '../../../contract/patterns.ts';
import type { LogRecord } from '../record/record.ts';

export type Parser = (r: LogRecord) => void;

function parseJson(r: LogRecord): void {
  const m = r.message;
  let i = 0;
  while (i < m.length && m.charCodeAt(i) === 32) i++;
  if (m.charCodeAt(i) !== 0x7b) return;
  try {
    const v: unknown = JSON.parse(m);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      r.fields = v as Record<string, unknown>;
      // Raw newlines are legal JSON whitespace but would split an NDJSON line.
      r.pristine =
        i === 0 && m.charCodeAt(m.length - 1) === 0x7d && m.indexOf('\n') < 0 && m.indexOf('\r') < 0;
    }
  } catch {
    // not JSON after all: stays a text message
  }
}

const LOGFMT = /([^\s="]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))/g;

export function parseLogfmt(text: string): Record<string, unknown> | undefined {
  let fields: Record<string, unknown> | undefined;
  LOGFMT.lastIndex = 0;
  for (let m = LOGFMT.exec(text); m !== null; m = LOGFMT.exec(text)) {
    fields ??= {};
    fields[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return fields;
}

export function makeParser(cfg: ParseConfig | undefined): Parser | undefined {
  const format = cfg?.format ?? 'auto';
  switch (format) {
    case 'none':
      return undefined;
    case 'auto':
    case 'json':
      return parseJson;
    case 'logfmt':
      return (r) => {
        const f = parseLogfmt(r.message);
        if (f !== undefined) r.fields = f;
      };
    case 'regex': {
      // On the linear-time engine (contract/patterns.ts): no pattern can stall the agent.
      const re = compilePattern(cfg?.pattern ?? '(?<message>.*)');
      return (r) => {
        const m = re.exec(r.message);
        if (m?.groups !== undefined) r.fields = { ...m.groups };
      };
    }
  }
}
