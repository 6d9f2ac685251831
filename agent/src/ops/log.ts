// JSON logs on stderr (stdout may carry records from the stdout sink), one line per entry in
// pino's shape: {"level":30,"time":<ms>,"component":"sluice-agent",...fields,"msg":"..."}. Written
// synchronously, as pino.destination(2) did; pino itself is not loaded (its modules cost ~2 MB of
// resident memory in the agent for what is one JSON.stringify per line here).
import { writeSync } from 'node:fs';

export type LogFn = (level: 'info' | 'warn' | 'error' | 'debug', msg: string, extra?: object) => void;

/** pino's level numbers (agent.logLevel takes pino's names). */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** A line to fd 2, retried while a non-blocking stderr pipe is full (as sonic-boom does). */
function writeLine(line: string): void {
  let buf = Buffer.from(line);
  for (let tries = 0; buf.length > 0 && tries < 1000; tries++) {
    try {
      buf = buf.subarray(writeSync(2, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return; // stderr gone: nowhere to say it
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export function makeLogger(level: string): { logger: { flush(): void }; log: LogFn } {
  const min = LEVELS[level] ?? LEVELS.info;
  const log: LogFn = (lvl, msg, extra) => {
    const n = LEVELS[lvl];
    if (n < min) return;
    let fields = '';
    if (extra !== undefined) {
      const json = JSON.stringify(extra);
      if (json.length > 2) fields = `,${json.slice(1, -1)}`;
    }
    writeLine(
      `{"level":${n},"time":${Date.now()},"component":"sluice-agent"${fields},"msg":${JSON.stringify(msg)}}\n`,
    );
  };
  // Every line is written when log() returns: nothing to flush.
  return { logger: { flush() {} }, log };
}
