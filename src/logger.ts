import { type DestinationStream, pino, type Logger } from 'pino';
import { serializeErr } from './log-redaction.ts';

export type { Logger };

/** JSON lines to stdout (or `destination`); errors are logged without the values of failed queries (log-redaction.ts). */
export function createLogger(level: string, name = 'switchboard', destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, serializers: { err: serializeErr } };
  return destination ? pino(options, destination) : pino(options);
}
