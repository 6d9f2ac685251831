// pino JSON logs on stderr (stdout may carry records from the stdout sink).
import { pino } from 'pino';

export type LogFn = (level: 'info' | 'warn' | 'error' | 'debug', msg: string, extra?: object) => void;

export function makeLogger(level: string): { logger: pino.Logger; log: LogFn } {
  const logger = pino({ level, base: { component: 'sluice-agent' } }, pino.destination(2));
  return { logger, log: (lvl, msg, extra) => logger[lvl](extra ?? {}, msg) };
}
