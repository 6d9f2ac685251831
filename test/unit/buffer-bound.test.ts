// An output's memory buffer holds at most its maxSize plus one chunk: files of a pipeline read at
// once, and a chunk whose read was in flight when the buffer filled waits for space instead of
// going in on top (each such chunk used to add its records past the bound).
import { describe, expect, test } from '@jest/globals';
import { MemoryBuffer } from '../../agent/src/buffer/memory.ts';
import type { Event } from '../../agent/src/record/record.ts';
import { config, readOut, runOnce, T, tempDir, writeLog } from './agent-harness.ts';

describe('memory buffer bound', () => {
  test('8 files read at once never put more than one chunk past maxSize', async () => {
    const root = tempDir();
    const files = 8;
    const perFile = 4000;
    for (let f = 0; f < files; f++) {
      const lines: string[] = [];
      for (let i = 0; i < perFile; i++)
        lines.push(`${T} stdout F {"f":${f},"i":${i},"pad":"${'x'.repeat(80)}"}\n`);
      writeLog(root, 'ns', `pod${f}`, 'c', lines.join(''));
    }
    const maxSize = 64 * 1024;
    const readBufferBytes = 16 * 1024;
    const c = config(root, [{}], { readBufferBytes });
    c.outputs[0]!.buffer = { type: 'memory', maxSize };
    // Watch the buffer's bytes after each push (the buffer itself is the real one).
    let most = 0;
    const push = MemoryBuffer.prototype.push;
    MemoryBuffer.prototype.push = function (this: MemoryBuffer, e: Event) {
      const ok = push.call(this, e);
      most = Math.max(most, this.bytes);
      return ok;
    };
    try {
      await runOnce(c);
    } finally {
      MemoryBuffer.prototype.push = push;
    }
    expect(readOut(root)).toHaveLength(files * perFile);
    // One chunk of 16 KiB of CRI lines makes at most ~16 KiB of events here (the CRI prefix goes,
    // the event's own fields come); two chunks' worth of slack, not eight.
    expect(most).toBeGreaterThanOrEqual(maxSize);
    expect(most).toBeLessThan(maxSize + 2 * readBufferBytes);
  });
});
