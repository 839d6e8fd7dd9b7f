// One log format per process. `greenlight start` and `greenlight worker` used to print pino's JSON lines
// and plain banner lines ("Greenlight is running at …") mixed on stdout: unreadable on a terminal and
// unparseable for a collector. Now everything a process says at start-up and on the way is one format:
// JSON lines (pino's) for collectors, or one readable line per record on a terminal. LOG_FORMAT chooses;
// auto (the default) is pretty on a terminal, json otherwise.
import os from 'node:os';
import { Writable } from 'node:stream';
import { InvalidArgumentError } from 'commander';
import { pino, type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty';

export function logFormatOf(env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): LogFormat {
  const v = env.LOG_FORMAT ?? 'auto';
  if (v === 'auto') return tty ? 'pretty' : 'json';
  if (v === 'json' || v === 'pretty') return v;
  throw new InvalidArgumentError(
    `LOG_FORMAT: '${v}' is not a log format; use json, pretty, or auto (the default: pretty on a terminal, json otherwise)`,
  );
}

const levelNames: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One readable line of a pino record: time, level, message, the other fields as key=value, an error's stack below. */
export function prettyLine(rec: Record<string, unknown>): string {
  const { level, time, msg, pid: _pid, hostname: _host, err, ...rest } = rec;
  const at = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 23);
  const name = (levelNames[level as number] ?? String(level)).padEnd(5);
  const fields = Object.entries(err !== undefined && typeof err !== 'object' ? { err, ...rest } : rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const stack = err && typeof err === 'object' ? `\n    ${String((err as { stack?: unknown }).stack ?? JSON.stringify(err))}` : '';
  return `${at} ${name} ${String(msg ?? '')}${fields ? `  ${fields}` : ''}${stack}\n`;
}

export interface ProcessLog {
  logger: Logger;
  /** Say something the operator must see whatever LOG_LEVEL is (the address, the token shown once), in the log's format. */
  announce(msg: string): void;
}

export function processLog(level: string, format: LogFormat): ProcessLog {
  const write = (rec: Record<string, unknown>) => process.stdout.write(format === 'json' ? `${JSON.stringify(rec)}\n` : prettyLine(rec));
  const logger =
    format === 'json'
      ? pino({ level })
      : pino(
          { level },
          new Writable({
            write(chunk, _enc, done) {
              for (const l of String(chunk).split('\n'))
                if (l)
                  try {
                    write(JSON.parse(l) as Record<string, unknown>);
                  } catch {
                    process.stdout.write(`${l}\n`);
                  }
              done();
            },
          }),
        );
  return {
    logger,
    announce: (msg) => write({ level: 30, time: Date.now(), pid: process.pid, hostname: os.hostname(), msg }),
  };
}
