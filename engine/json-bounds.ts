// Bounds on JSON from outside, checked without recursion: nesting depth and
// node count of a value (every zod parse at the door goes through them), and
// what could not be stored as sent (lone surrogates, non-finite numbers,
// __proto__ keys that parsers drop) — refused rather than altered; and,
// for JSON text, duplicate keys (refused: two values for one key would let a
// validator and a reader see different documents).
import type { ErrorDetail } from './errors.js';

/** Deepest nesting of objects and arrays the engine takes (rules, payloads, job inputs). */
export const MAX_JSON_DEPTH = 64;
/** Most values (objects, arrays, scalars) in one document. */
export const MAX_JSON_NODES = 100_000;

/** No lone UTF-16 surrogate (a pair is one code point under the u flag; a lone half is \p{Surrogate}). */
const loneSurrogate = /\p{Surrogate}/u;
const wellFormed = (s: string) => !loneSurrogate.test(s);

const shown = (path: (string | number)[]) => {
  const head = path.slice(0, 8).map(String).join('.');
  return path.length > 8 ? `${head}… (${path.length} levels)` : head || '(root)';
};

/** The first bound a value breaks, as a detail with its path; null when within bounds. Iterative. */
export function valueBoundsProblem(value: unknown): ErrorDetail | null {
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (++nodes > MAX_JSON_NODES) return { path: '(root)', message: `more than ${MAX_JSON_NODES} values: send less` };
    // Stored as text, read back as data: what SQLite's UTF-8 or JSON cannot hold is refused, never altered.
    if (typeof v === 'string' && !wellFormed(v))
      return { path: shown(path), message: 'holds a lone UTF-16 surrogate (e.g. \\ud800): send well-formed Unicode' };
    if (typeof v === 'number' && !Number.isFinite(v))
      return { path: shown(path), message: 'is a number beyond what JSON stores (e.g. 1e309): send a finite number' };
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_JSON_DEPTH) return { path: shown(path), message: `nested deeper than ${MAX_JSON_DEPTH} levels: flatten it` };
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stack.push({ v: v[i], path: [...path, i] });
    else
      for (const k of Object.keys(v)) {
        if (k === '__proto__') return { path: shown([...path, k]), message: 'a key named __proto__ is not taken: rename it' };
        if (!wellFormed(k)) return { path: shown(path), message: 'a key holds a lone UTF-16 surrogate: send well-formed Unicode' };
        stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k] });
      }
  }
  return null;
}

/**
 * For JSON text that parses: the first duplicate key or nesting past the bound, with its path; null when none.
 * One pass over the text (strings skipped by their escapes), so its cost is linear and it never recurses.
 */
export function textBoundsProblem(text: string): ErrorDetail | null {
  type Frame = { keys: Set<string> | null; key: string | number; expectKey: boolean };
  const stack: Frame[] = [];
  const pathOf = () => stack.map((f) => f.key);
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { path: shown([...pathOf().slice(0, -1), key]), message: 'this key is given twice: send it once' };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH)
        return { path: shown(pathOf()), message: `nested deeper than ${MAX_JSON_DEPTH} levels: flatten it` };
      stack.push({ keys: ch === 0x7b ? new Set() : null, key: ch === 0x7b ? '' : 0, expectKey: true });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) stack.pop();
    else if (ch === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
      else if (top) top.key = (top.key as number) + 1;
    }
  }
  return null;
}
