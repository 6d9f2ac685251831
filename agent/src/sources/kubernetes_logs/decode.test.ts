// Table-driven decoder cases: CRI and docker lines, partials (also cut at read-buffer boundaries
// by the tailer test below), 16 KiB splits, invalid UTF-8, CRLF, empty lines, over-long records.
import { describe, expect, test } from '@jest/globals';
import { type EntrySink, LogDecoder } from './decode.ts';

interface Out {
  ts: string;
  stream: number;
  body: Buffer;
  cut: number;
  start: number;
}

function decode(
  input: string | Buffer,
  max = 1024 * 1024,
): { out: Out[]; malformed: number; pending: number } {
  const out: Out[] = [];
  let malformed = 0;
  const sink: EntrySink = {
    entry: (tsBuf, s, e, stream, body, cut, start) =>
      out.push({ ts: tsBuf.toString('latin1', s, e), stream, body: Buffer.from(body), cut, start }),
    malformed: () => {
      malformed++;
    },
  };
  const d = new LogDecoder(max, sink);
  const buf = typeof input === 'string' ? Buffer.from(input) : input;
  let s = 0;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, s)) {
    d.line(buf, s, nl, s, 0);
    s = nl + 1;
  }
  return { out, malformed, pending: d.pendingStart() };
}

const T = '2024-01-01T00:00:00.000000001Z';
const big = (n: number, c = 'a') => c.repeat(n);

describe('LogDecoder', () => {
  const cases: [
    string,
    string | Buffer,
    { bodies: (string | Buffer)[]; streams?: number[]; malformed?: number },
  ][] = [
    ['CRI full line', `${T} stdout F hello world\n`, { bodies: ['hello world'], streams: [0] }],
    ['CRI stderr', `${T} stderr F oops\n`, { bodies: ['oops'], streams: [1] }],
    [
      'CRI partials joined byte-exact',
      `${T} stdout P ab\n${T} stdout P cd \n${T} stdout F ef\n`,
      { bodies: ['abcd ef'] },
    ],
    [
      'CRI partials of two streams interleaved',
      `${T} stdout P a1\n${T} stderr P b1\n${T} stdout F a2\n${T} stderr F b2\n`,
      { bodies: ['a1a2', 'b1b2'], streams: [0, 1] },
    ],
    [
      'CRI 16 KiB split',
      `${T} stdout P ${big(16384)}\n${T} stdout P ${big(16384, 'b')}\n${T} stdout F end\n`,
      { bodies: [`${big(16384)}${big(16384, 'b')}end`] },
    ],
    ['CRI tags with extra fields', `${T} stdout F:x=1 tagged\n`, { bodies: ['tagged'] }],
    ['CRI empty body', `${T} stdout F \n${T} stdout F\n`, { bodies: ['', ''] }],
    ['CRLF stripped from the record end', `${T} stdout F windows\r\n`, { bodies: ['windows'] }],
    ['CR inside a partial kept', `${T} stdout P a\r\n${T} stdout F b\n`, { bodies: ['a\rb'] }],
    ['empty physical lines skipped', `\n\n${T} stdout F x\n`, { bodies: ['x'] }],
    ['malformed line kept raw', 'not a cri line\n', { bodies: ['not a cri line'], malformed: 1 }],
    [
      'timestamp with a quote is malformed',
      `2024"01 stdout F x\n`,
      { bodies: [`2024"01 stdout F x`], malformed: 1 },
    ],
    [
      'invalid UTF-8 passes through as bytes',
      Buffer.concat([Buffer.from(`${T} stdout F a`), Buffer.from([0xff, 0xfe]), Buffer.from('b\n')]),
      { bodies: [Buffer.concat([Buffer.from('a'), Buffer.from([0xff, 0xfe]), Buffer.from('b')])] },
    ],
    [
      'docker json-file',
      `{"log":"hello\\n","stream":"stdout","time":"${T}"}\n{"log":"err\\n","stream":"stderr","time":"${T}"}\n`,
      { bodies: ['hello', 'err'], streams: [0, 1] },
    ],
    [
      'docker 16 KiB split joined',
      `{"log":"${big(16384)}","stream":"stdout","time":"${T}"}\n{"log":"tail\\n","stream":"stdout","time":"${T}"}\n`,
      { bodies: [`${big(16384)}tail`] },
    ],
  ];
  test.each(cases)('%s', (_name, input, want) => {
    const r = decode(input);
    expect(r.out.map((o) => o.body)).toEqual(want.bodies.map((b) => Buffer.from(b)));
    if (want.streams) expect(r.out.map((o) => o.stream)).toEqual(want.streams);
    expect(r.malformed).toBe(want.malformed ?? 0);
    expect(r.pending).toBe(Infinity);
  });

  test('timestamps come from the CRI line', () => {
    expect(decode(`${T} stdout F x\n`).out[0].ts).toBe(T);
  });

  test('a pending partial holds the safe offset at its first line', () => {
    const line1 = `${T} stdout F done\n`;
    const r = decode(`${line1}${T} stdout P waiting\n`);
    expect(r.pending).toBe(line1.length);
    expect(r.out[0].start).toBe(0);
  });

  test('1 MiB limit: a 10 MiB record of P parts is truncated at a UTF-8 boundary and counted', () => {
    const part = `${T} stdout P ${big(16383)}é\n`; // 16385 bytes of body each, é split-safe
    const n = 640;
    const r = decode(part.repeat(n) + `${T} stdout F end\n`, 1024 * 1024);
    expect(r.out).toHaveLength(1);
    const o = r.out[0];
    expect(o.body.length).toBeLessThanOrEqual(1024 * 1024);
    expect(o.body.toString('utf8')).not.toContain('\ufffd');
    expect(o.body.length + o.cut).toBe(n * 16385 + 3);
  });

  test('exactly 1 MiB fits; one byte more is cut', () => {
    expect(decode(`${T} stdout F ${big(1024 * 1024)}\n`).out[0].cut).toBe(0);
    expect(decode(`${T} stdout F ${big(1024 * 1024 + 1)}\n`).out[0].cut).toBe(1);
  });
});
