// Option parsers the CLI commands share.
import { InvalidArgumentError } from 'commander';
import fs from 'node:fs';

/** JSON given inline or as @file.json; a clear error otherwise. */
export function parseJsonOption(value: string): unknown {
  const text = value.startsWith('@') ? fs.readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`not valid JSON (${(err as Error).message}); pass JSON or @file.json`);
  }
}
