// NDJSON to the process's standard output, respecting stream backpressure.

import type { SendResult, Service, Sink } from '../../../agent/src/sinks/types.ts';
import { ndjsonEncoder } from '../../file/sink/encode.ts';

export class StdoutService implements Service<Buffer> {
  private readonly out: NodeJS.WritableStream;
  constructor(out: NodeJS.WritableStream = process.stdout) {
    this.out = out;
  }
  send(body: Buffer): Promise<SendResult> {
    return new Promise((resolve) => {
      this.out.write(body, (err) =>
        resolve(err ? { status: 'retry', error: err.message } : { status: 'ok' }),
      );
    });
  }
  async close(): Promise<void> {}
}

export function sink(): Sink<Buffer> {
  return { encoder: ndjsonEncoder, service: new StdoutService() };
}
