// Record positions (record/origin.ts): every record leaves the reader with its file's origin and
// the offset of its first line — the same on a re-read, distinct for identical lines — and the
// disk buffer's WAL keeps them (frames written before positions existed still read).
import { appendFileSync, closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, test } from '@jest/globals';
import { decodeFrames, encodeFrames, readPosition } from '../../agent/src/buffer/disk/frame.ts';
import { resync } from '../../agent/src/buffer/disk/recover.ts';
import type { OutputBuffer } from '../../agent/src/buffer/types.ts';
import { OutputStats, PipelineStats } from '../../agent/src/ops/stats.ts';
import { ORIGIN_LEN, originOf } from '../../agent/src/record/origin.ts';
import { type Event, eventOf, eventText } from '../../agent/src/record/record.ts';
import { headIdFd } from '../../agent/src/sources/files/fingerprint.ts';
import { ContainerReader } from '../../agent/src/sources/kubernetes_logs/reader.ts';
import { ContainerSource } from '../../agent/src/sources/kubernetes_logs/source.ts';
import { deadLetterEvent } from '../../agent/src/topology/output.ts';
import { Pipeline } from '../../agent/src/topology/pipeline.ts';
import type { PipelineConfig } from '../../contract/agent-config/types.ts';
import { bulkEncoder, documentId } from '../../destinations/opensearch/sink/encode.ts';

const T = '2024-01-01T00:00:00.000000001Z';

function capture(): {
  buffer: OutputBuffer;
  events: { text: string; origin: Buffer | null; offset: number }[];
} {
  const events: { text: string; origin: Buffer | null; offset: number }[] = [];
  const buffer = {
    push(e: Event) {
      events.push({ text: eventText(e), origin: e.origin, offset: e.offset });
      return true;
    },
    full: false,
    onSpace: (cb: () => void) => cb(),
    flushProducer() {},
  } as unknown as OutputBuffer;
  return { buffer, events };
}

/** A reader over CRI lines fed as one chunk; returns what reached the output. */
function read(
  lines: string[],
  parse: PipelineConfig['parse'] = undefined,
  file = { dev: 1, ino: 2, headId: 3 },
  from = 0,
) {
  const { buffer, events } = capture();
  const config = { id: 'p', kind: 'ClusterLogPipeline', name: 'p', outputs: ['o'], parse } as PipelineConfig;
  const pipeline = new Pipeline(config, new PipelineStats(), [{ id: 'o', buffer, stats: new OutputStats() }]);
  const meta = { namespace: 'ns', pod: 'pod', uid: 'u', container: 'c', restart: 0, active: true };
  const reader = new ContainerReader(pipeline, new ContainerSource(meta, undefined, undefined, 'p'), from, {
    maxRecordBytes: 1 << 20,
    multiline: parse?.multiline,
    streams: 3,
    mlFlushMs: 1000,
  });
  reader.bind(file);
  const text = `${lines.join('\n')}\n`;
  const buf = Buffer.from(text);
  reader.beginChunk();
  let s = 0;
  for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10, s)) {
    reader.line(buf, s, nl, from + s, 0);
    s = nl + 1;
  }
  reader.endChunk(from + s);
  reader.flushStale(Date.now(), true);
  return events;
}

describe('record positions', () => {
  test('identical lines get the same origin and distinct offsets (byte path and string path)', () => {
    const line = `${T} stdout F retrying...`;
    for (const parse of [undefined, { keepOriginal: true }]) {
      const ev = read([line, line, line], parse);
      expect(ev).toHaveLength(3);
      expect(ev.map((e) => e.offset)).toEqual([0, line.length + 1, 2 * (line.length + 1)]);
      expect(ev[0]!.origin).toEqual(originOf('p', 1, 2, 3));
      expect(ev.every((e) => e.origin!.equals(ev[0]!.origin!))).toBe(true);
      expect(new Set(ev.map((e) => e.text)).size).toBe(1);
    }
  });

  test('a record joined from partials starts at its first part; a re-read from an offset gives the same positions', () => {
    const lines = [`${T} stdout F one`, `${T} stdout P tw`, `${T} stderr F x`, `${T} stdout F o`];
    const ev = read(lines);
    expect(ev.map((e) => [JSON.parse(e.text).message, e.offset])).toEqual([
      ['one', 0],
      ['x', lines[0]!.length + lines[1]!.length + 2],
      ['two', lines[0]!.length + 1],
    ]);
    const from = lines[0]!.length + 1;
    const again = read(lines.slice(1), undefined, { dev: 1, ino: 2, headId: 3 }, from);
    expect(again.map((e) => e.offset)).toEqual([ev[1]!.offset, ev[2]!.offset]);
    expect(again[0]!.origin).toEqual(ev[0]!.origin);
  });

  test('a multiline group starts at its first line', () => {
    const lines = [`${T} stdout F [1] a`, `${T} stdout F  b`, `${T} stdout F [2] c`];
    const ev = read(lines, { multiline: { preset: 'custom', start: '^\\[\\d+\\]' } });
    expect(ev.map((e) => [JSON.parse(e.text).message, e.offset])).toEqual([
      ['[1] a\n b', 0],
      ['[2] c', lines[0]!.length + lines[1]!.length + 2],
    ]);
  });

  test('the origin tells files, inodes, heads and pipelines apart; no head id, no position', () => {
    const a = read([`${T} stdout F x`])[0]!.origin!;
    expect(a).toHaveLength(ORIGIN_LEN);
    expect(read([`${T} stdout F x`], undefined, { dev: 1, ino: 9, headId: 3 })[0]!.origin).not.toEqual(a);
    expect(read([`${T} stdout F x`], undefined, { dev: 1, ino: 2, headId: 4 })[0]!.origin).not.toEqual(a);
    expect(originOf('q', 1, 2, 3)).not.toEqual(a);
    expect(read([`${T} stdout F x`], undefined, { dev: 1, ino: 2, headId: -1 })[0]!.origin).toBe(null);
  });

  test('the head id is the first line and does not change as the file grows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-head-'));
    const p = join(dir, '0.log');
    writeFileSync(p, `${T} stdout P no newline yet`);
    const id = () => {
      const fd = openSync(p, 'r');
      try {
        return headIdFd(fd);
      } finally {
        closeSync(fd);
      }
    };
    expect(id()).toBe(-1);
    appendFileSync(p, '\n');
    const first = id();
    expect(first).toBe(crc32(`${T} stdout P no newline yet\n`));
    appendFileSync(p, `${T} stdout F ${'x'.repeat(500)}\n`);
    expect(id()).toBe(first);
    writeFileSync(p, `${'y'.repeat(300)}\n`);
    expect(id()).toBe(crc32('y'.repeat(256)));
  });
});

describe('positions in the WAL and the sinks', () => {
  const origin = originOf('p', 1, 2, 3);
  test('positioned and plain frames round-trip; a segment of the older format still reads', () => {
    const events = [eventOf('{"a":1}', null, origin, 2 ** 40 + 5), eventOf('{"b":2}')];
    const buf = encodeFrames(events);
    const d = decodeFrames(buf, 10, 1 << 20);
    expect(d.corrupt).toBe(false);
    expect(d.used).toBe(buf.length);
    expect(buf.toString('latin1', d.frames[0]!, d.frames[0]! + d.frames[1]!)).toBe('{"a":1}');
    expect(readPosition(buf, d.frames[2]!)).toEqual({ origin, offset: 2 ** 40 + 5 });
    expect(buf.toString('latin1', d.frames[3]!, d.frames[3]! + d.frames[4]!)).toBe('{"b":2}');
    expect(d.frames[5]).toBe(-1);
    // A frame as agents before positions wrote it: [len][crc][json].
    const body = Buffer.from('{"old":true}');
    const old = Buffer.alloc(8 + body.length);
    old.writeUInt32LE(body.length, 0);
    old.writeUInt32LE(crc32(body), 4);
    body.copy(old, 8);
    const o = decodeFrames(old, 10, 1 << 20);
    expect([o.corrupt, o.frames]).toEqual([false, [8, body.length, -1]]);
    // Recovery finds positioned frames after damage.
    const damaged = Buffer.concat([Buffer.from([1, 2, 3]), buf]);
    expect(resync(damaged, 0, 1 << 20)).toBe(3);
  });

  test('OpenSearch ids: from the position, distinct for identical lines, none without a position', () => {
    const line = '{"timestamp":"t","message":"retrying..."}';
    const a = eventOf(line, null, origin, 0);
    const b = eventOf(line, null, origin, 42);
    expect(documentId(a)).toBe(`${origin.toString('base64url')}0`);
    expect(documentId(b)).toBe(`${origin.toString('base64url')}16`);
    expect(documentId(eventOf(line, null, origin, 42))).toBe(documentId(b));
    expect(documentId(eventOf(line))).toBe(undefined);
    const r = bulkEncoder({ endpoints: ['http://x'], index: 'i' }).encode([a, eventOf(line)]);
    expect(JSON.parse(r.items[0]!.toString().split('\n')[0]!)).toEqual({
      index: { _index: 'i', _id: documentId(a) },
    });
    expect(JSON.parse(r.items[1]!.toString().split('\n')[0]!)).toEqual({ index: { _index: 'i' } });
    // A dead-letter copy keeps the offset under an origin of its own per output.
    const dl = deadLetterEvent(b, 'boom', 'out-a');
    expect(dl.offset).toBe(42);
    expect(dl.origin).not.toEqual(origin);
    expect(deadLetterEvent(b, 'boom', 'out-b').origin).not.toEqual(dl.origin);
  });
});
