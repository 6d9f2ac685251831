// The file sink writes events as slices of the buffers they lie in: the same bytes as the copying
// encoder, fewer slices where events lie back to back with their newline (the pipeline's arenas).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { type Event, eventOf, OutEvent } from '../../../agent/src/record/record.ts';
import { encodeNdjson, ndjsonSlices } from './encode.ts';
import { FileService } from './service.ts';

/** Events written back to back into one buffer, each followed by a newline (as in an arena). */
function arena(lines: string[]): Event[] {
  const buf = Buffer.alloc(4096, 0x20);
  const events: Event[] = [];
  let p = 0;
  for (const l of lines) {
    const n = buf.write(l, p);
    events.push(new OutEvent(buf, p, n, null));
    buf[p + n] = 0x0a;
    p += n + 1;
  }
  return events;
}

const joined = (slices: Buffer[]) => Buffer.concat(slices).toString();

describe('ndjsonSlices', () => {
  test('events back to back in one arena are one slice, newlines included', () => {
    const ev = arena(['{"a":1}', '{"b":2}', '{"c":3}']);
    const slices = ndjsonSlices(ev);
    expect(slices).toHaveLength(1);
    expect(joined(slices)).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
  });

  test('events without a newline after them, gaps and other buffers: same bytes as encodeNdjson', () => {
    const a = arena(['{"a":1}', '{"b":2}', '{"c":3}', '{"d":4}']);
    const b = arena(['{"x":1}', '{"y":2}']);
    // a[2] skipped (another output's record), b interleaved, strings without a trailing newline
    const events = [a[0], a[1], b[0], eventOf('{"s":1}'), a[3], b[1], eventOf('{"t":2}'), eventOf('{"u":3}')];
    const slices = ndjsonSlices(events);
    expect(joined(slices)).toBe(encodeNdjson(events).toString());
    expect(slices.length).toBeLessThan(events.length * 2);
    expect(ndjsonSlices([])).toEqual([]);
  });

  test('the file service writes the slices in order and counts their bytes for rotation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-file-sink-'));
    const path = join(dir, 'out.ndjson');
    const svc = new FileService({ path, rotateBytes: 40, maxFiles: 2 });
    const first = arena(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(await svc.send(ndjsonSlices(first))).toEqual({ status: 'ok' });
    const second = [eventOf('{"n":4}'), ...arena(['{"n":5}', '{"n":6}'])];
    expect(await svc.send(ndjsonSlices(second))).toEqual({ status: 'ok' });
    await svc.close();
    // 24 + 24 bytes > 40: the second batch went to a fresh file after rotating the first
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"n":4}\n{"n":5}\n{"n":6}\n');
  });
});
