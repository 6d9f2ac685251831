import { describe, expect, test } from '@jest/globals';
import { makeParser } from '../transforms/parse.ts';
import { LogRecord, type RecordSource, STREAM_NAMES } from './record.ts';
import {
  EVENT_BYTES_OVERHEAD,
  RESERVED_KEYS,
  SOURCE_KEY,
  serialize,
  sourceFragment,
  writeEventBytes,
} from './serialize.ts';

const TS = '2024-01-01T00:00:00.000000001Z';
const frag = sourceFragment('p', SOURCE_KEY.container, { namespace: 'ns', pod: 'pod', container: 'c' });
const source: RecordSource = {
  fragment: () => frag,
  fragmentBytes: () => Buffer.from(frag),
  namespace: 'ns',
  pod: 'pod',
  podKey: 'ns/pod',
  pipeline: 'p',
  labels: () => undefined,
  kubernetes: () => ({}),
};

/** The byte path's event, or undefined when it hands the body to the string path. */
function bytePath(body: Buffer, stream: number, spliceJson: boolean): string | undefined {
  const ts = Buffer.from(TS);
  const f = source.fragmentBytes();
  const dst = Buffer.alloc(EVENT_BYTES_OVERHEAD + ts.length + f.length + body.length * 6);
  const end = writeEventBytes(dst, 0, ts, 0, ts.length, stream, f, body, spliceJson);
  return end < 0 ? undefined : dst.toString('utf8', 0, end);
}

function stringPath(body: Buffer, stream: number, format: 'auto' | 'none', keepOriginal = false): string {
  const r = new LogRecord(TS, STREAM_NAMES[stream], body.toString('utf8'), source);
  makeParser({ format })?.(r);
  return serialize(r, keepOriginal);
}

const bodies = [
  'plain text',
  'quote " backslash \\ tab\t ctl\u0001 é € 𝄞',
  '{"level":"info","msg":"hi","n":[1,2.5,{"a":null}]}',
  '{ "spaced" : true }',
  '{}',
  '{ }',
  '{"a":1',
  '[1,2]',
  '{"nested":{"stream":"inner"}}',
];

describe('the event shape', () => {
  test.each(bodies.flatMap((b) => [0, 1].map((s) => [b, s] as const)))(
    'both paths write the same event: %j on stream %d',
    (body, stream) => {
      const b = Buffer.from(body);
      expect(bytePath(b, stream, true)).toBe(stringPath(b, stream, 'auto'));
      expect(bytePath(b, stream, false)).toBe(stringPath(b, stream, 'none'));
    },
  );

  test('field order: timestamp, stream, then the source fragment, then the body', () => {
    const e = JSON.parse(stringPath(Buffer.from('{"level":"info"}'), 1, 'auto'));
    expect(Object.keys(e)).toEqual(['timestamp', 'stream', 'pipeline', 'kubernetes', 'level']);
    expect(e).toMatchObject({ timestamp: TS, stream: 'stderr', pipeline: 'p', level: 'info' });
    expect(Object.keys(JSON.parse(stringPath(Buffer.from('x'), 0, 'auto')))).toEqual([
      'timestamp',
      'stream',
      'pipeline',
      'kubernetes',
      'message',
    ]);
  });

  test("the reserved keys are exactly the event's own", () => {
    const e = JSON.parse(stringPath(Buffer.from('{}'), 0, 'auto'));
    expect([...RESERVED_KEYS].sort()).toEqual(Object.keys(e).sort());
  });

  test.each(RESERVED_KEYS)(
    'a parsed field named %s goes under "log"; the byte path leaves it to the string path',
    (key) => {
      const body = Buffer.from(JSON.stringify({ [key]: 'mine', other: 1 }));
      expect(bytePath(body, 0, true)).toBeUndefined();
      const e = JSON.parse(stringPath(body, 0, 'auto'));
      expect(e.log).toEqual({ [key]: 'mine', other: 1 });
      expect(e.other).toBeUndefined();
    },
  );

  test('keepOriginal puts the text in "message" before the parsed fields, unless they have one', () => {
    const e = JSON.parse(stringPath(Buffer.from('{"level":"info"}'), 0, 'auto', true));
    expect(Object.keys(e).slice(4)).toEqual(['message', 'level']);
    expect(e.message).toBe('{"level":"info"}');
    expect(JSON.parse(stringPath(Buffer.from('{"message":"m"}'), 0, 'auto', true)).message).toBe('m');
  });

  test('an escaped key that decodes to a reserved one is caught: the string path nests it', () => {
    const body = Buffer.from('{"str\\u0065am":"mine","level":"info"}');
    expect(bytePath(body, 0, true)).toBeUndefined();
    const e = JSON.parse(stringPath(body, 0, 'auto'));
    expect(e.stream).toBe('stdout');
    expect(e.log).toEqual({ stream: 'mine', level: 'info' });
  });

  test('a dotted key under a reserved one ("kubernetes.namespace") cannot spoof enrichment: it is nested', () => {
    for (const body of ['{"kubernetes.namespace":"victim","level":"info"}', '{"a":1,"pipeline.x":2}']) {
      const b = Buffer.from(body);
      expect(bytePath(b, 0, true)).toBeUndefined();
      const e = JSON.parse(stringPath(b, 0, 'auto'));
      expect(e.log).toEqual(JSON.parse(body));
      expect(Object.keys(e).filter((k) => k.includes('.'))).toEqual([]);
    }
    // Keys that only look alike are spliced as before.
    const ok = Buffer.from('{"kubernetesx.a":1,"streams.b":2}');
    expect(bytePath(ok, 0, true)).toBe(stringPath(ok, 0, 'auto'));
    expect(JSON.parse(stringPath(ok, 0, 'auto'))['kubernetesx.a']).toBe(1);
  });

  test('an escaped key that decodes to an ordinary one is written as before', () => {
    const body = Buffer.from('{"lev\\u0065l":"info"}');
    expect(bytePath(body, 0, true)).toBeUndefined();
    expect(JSON.parse(stringPath(body, 0, 'auto')).level).toBe('info');
  });

  test('a host-file record nests a parsed "host" under "log"; a container record keeps it', () => {
    const hostFrag = sourceFragment('p', SOURCE_KEY.host, { node: 'n1', path: '/var/log/app.log' });
    const hostSource: RecordSource = { ...source, fragment: () => hostFrag };
    const parse = makeParser({ format: 'auto' })!;
    const onHost = new LogRecord(TS, 'file', '{"host":"web-1","level":"info"}', hostSource);
    parse(onHost);
    const e = JSON.parse(serialize(onHost, false));
    expect(e.host).toEqual({ node: 'n1', path: '/var/log/app.log' });
    expect(e.log).toEqual({ host: 'web-1', level: 'info' });
    const inPod = JSON.parse(stringPath(Buffer.from('{"host":"web-1"}'), 0, 'auto'));
    expect(inPod.host).toBe('web-1');
  });

  test('invalid UTF-8 is left to the string path', () => {
    expect(bytePath(Buffer.from([0x61, 0xff]), 0, true)).toBeUndefined();
  });
});
