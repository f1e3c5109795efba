import { Writable } from 'node:stream';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogConfig, LogLevel } from '../config/typed-views.js';

export type { Logger };

// Ory's level names mapped to pino's.
const LEVELS: Record<LogLevel, pino.Level> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  panic: 'fatal',
};

export interface CreateLoggerOptions {
  /** Where lines go; standard error by default, so that command output on stdout stays clean. */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** Fixed fields on every line (`service`, `audience`). */
  base?: Record<string, unknown>;
}

/**
 * The process logger. `log.format: text` writes logfmt lines (`time=... level=info msg="..."`) as
 * Kratos and Oathkeeper do; `json` writes one JSON object per line.
 */
export function createLogger(config: LogConfig, options: CreateLoggerOptions = {}): Logger {
  const target = options.destination ?? process.stderr;
  const destination = config.format === 'text' ? logfmtStream(target) : (target as DestinationStream);
  return pino(
    {
      level: LEVELS[config.level],
      base: options.base ?? {},
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label === 'warn' ? 'warning' : label }) },
    },
    destination,
  );
}

/** A logger that drops everything, for tests and commands that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

function logfmtStream(target: DestinationStream | NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        target.write(`${toLogfmt(JSON.parse(line) as Record<string, unknown>)}\n`);
      }
      callback();
    },
  });
}

export function toLogfmt(record: Record<string, unknown>): string {
  const { time, level, msg, ...fields } = record;
  const parts = [`time=${String(time)}`, `level=${String(level)}`, `msg=${quote(String(msg ?? ''))}`];
  for (const [key, value] of Object.entries(fields)) {
    parts.push(`${key}=${quote(typeof value === 'string' ? value : JSON.stringify(value))}`);
  }
  return parts.join(' ');
}

function quote(value: string): string {
  return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}
