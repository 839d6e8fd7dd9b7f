// The process log's two formats (bin/log.ts): LOG_FORMAT chosen or refused with the fix, and a pino
// record as one readable line that keeps what matters — the message, every field, an error's message
// whether the record carries it as a string (the worker's "job failed") or as a serialized error.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logFormatOf, prettyLine } from '../../../bin/log.js';

describe('process log format', () => {
  it('GIVEN LOG_FORMAT unset or auto THEN pretty on a terminal, json when piped; a typo is refused naming the values', () => {
    assert.equal(logFormatOf({}, true), 'pretty');
    assert.equal(logFormatOf({ LOG_FORMAT: 'auto' }, false), 'json');
    assert.equal(logFormatOf({ LOG_FORMAT: 'json' }, true), 'json');
    assert.throws(() => logFormatOf({ LOG_FORMAT: 'jsno' }, true), /LOG_FORMAT: 'jsno' is not a log format; use json, pretty, or auto/);
  });

  it('GIVEN pino records THEN each is one line: time, level, message, the fields; an error keeps its message or stack', () => {
    const time = Date.UTC(2026, 11, 2, 9, 5, 7, 42);
    assert.equal(
      prettyLine({ level: 40, time, pid: 1, hostname: 'h', msg: 'job failed', queue: 'bg_remove', err: 'no PNG files found', final: true }),
      '09:05:07.042 WARN  job failed  err=no PNG files found queue=bg_remove final=true\n',
    );
    const line = prettyLine({ level: 50, time, msg: 'boom', err: { type: 'Error', message: 'x', stack: 'Error: x\n    at here' } });
    assert.match(line, /^09:05:07\.042 ERROR boom\n {4}Error: x\n {4}at here\n$/);
    assert.equal(
      prettyLine({ level: 30, time, msg: 'worker started', queues: ['a', 'b'] }),
      '09:05:07.042 INFO  worker started  queues=["a","b"]\n',
    );
  });
});
