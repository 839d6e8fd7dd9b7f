// Option parsers the CLI commands share.
import { InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import { jsonTextProblem } from '../engine/index.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of @file.json: read and decoded strictly (as the API decodes bodies), or a one-line reason. */
function fileText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (err as Error).message;
    throw new InvalidArgumentError(`cannot read ${file}: ${why}; pass JSON or @file.json`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidArgumentError(`${file} is not valid UTF-8; save it as UTF-8`);
  }
}

/** JSON given inline or as @file.json; a clear error otherwise (the API's bounds apply). */
export function parseJsonValue(value: string): unknown {
  const text = value.startsWith('@') ? fileText(value.slice(1)) : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`not valid JSON (${(err as Error).message}); pass JSON or @file.json`);
  }
  // The API's bounds: no key twice, nesting within MAX_JSON_DEPTH.
  const problem = jsonTextProblem(text);
  if (problem) throw new InvalidArgumentError(`refused at ${problem.path}: ${problem.message}`);
  return parsed;
}

/** A JSON object option (a payload, a job input): said plainly, rather than what commander makes of null. */
export function parseJsonOption(value: string): unknown {
  const parsed = parseJsonValue(value);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError(
      `must be a JSON object like {"key": "value"}, not ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    );
  return parsed;
}

/** A value as the API gives it, pretty-printed to stdout. */
export const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
/** One line of text to stdout. */
export const line = (s: string) => process.stdout.write(`${s}\n`);
