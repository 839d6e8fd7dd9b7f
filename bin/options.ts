// Option parsers the CLI commands share.
import { InvalidArgumentError } from 'commander';
import fs from 'node:fs';
import { jsonTextProblem } from '../engine/index.js';

/** JSON given inline or as @file.json; a clear error otherwise. */
export function parseJsonOption(value: string): unknown {
  const text = value.startsWith('@') ? fs.readFileSync(value.slice(1), 'utf8') : value;
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
