// Path lookup and the planner's "not known until it runs" marker. Lookups walk
// own properties only: no eval, no prototype access.

/** A value the planner cannot know before the job runs (e.g. a step's output). */
export class Unknown {
  constructor(readonly from: string) {}
  toJSON(): { $unknown: string } {
    return { $unknown: this.from };
  }
}

export const isUnknown = (v: unknown): v is Unknown => v instanceof Unknown;

const forbidden = new Set(['__proto__', 'prototype', 'constructor']);

/** Look up a dotted path. Returns undefined when absent, or an Unknown when the walk meets one. */
export function getPath(root: unknown, path: string | readonly string[]): unknown {
  const parts = typeof path === 'string' ? (path === '' ? [] : path.split('.')) : path;
  let cur: unknown = root;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    if (cur instanceof Unknown) return new Unknown(`${cur.from}.${parts.slice(i).join('.')}`);
    if (forbidden.has(key) || cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(key)) return undefined;
      cur = cur[Number(key)];
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Canonical JSON: object keys sorted, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value instanceof Unknown) return value.toJSON();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
