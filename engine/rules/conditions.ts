// Condition evaluation: all/any groups of { field, op, value } over an event.
// Three-valued so the planner can say "depends on a job's output": a condition
// that reads an Unknown is 'unknown', never guessed.
import { RE2JS } from 're2js';
import { deepEqual, getPath, isUnknown } from './values.js';
import type { Condition, ConditionGroup } from './schema.js';

export type Truth = 'true' | 'false' | 'unknown';

export interface ConditionOutcome {
  result: Truth;
  /** The leaf conditions that were false (or unknown), with the value seen. */
  failed: { field: string; op: string; value?: unknown; actual: unknown; result: Truth }[];
}

/** Longest string `matches` tests; longer values are cut, which bounds the (linear) regex work. */
export const MATCH_INPUT_LIMIT = 10_000;
const regexCache = new Map<string, RE2JS>();

/** Patterns run on RE2 (re2js): time linear in the input, whatever the pattern; the schema refused what it cannot compile. */
function regexFor(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

function compare(actual: unknown, value: unknown): number | undefined {
  if (typeof actual === 'number' && typeof value === 'number') return actual - value;
  if (typeof actual === 'string' && typeof value === 'string') return actual < value ? -1 : actual > value ? 1 : 0;
  return undefined;
}

export function evaluateLeaf(c: Condition, subject: unknown): Truth {
  const actual = getPath(subject, c.field);
  if (isUnknown(actual)) return 'unknown';
  const holds = (b: boolean): Truth => (b ? 'true' : 'false');
  switch (c.op) {
    case 'eq':
      return holds(deepEqual(actual, c.value));
    case 'neq':
      return holds(!deepEqual(actual, c.value));
    case 'in':
      return holds(Array.isArray(c.value) && c.value.some((v) => deepEqual(actual, v)));
    case 'nin':
      return holds(!(Array.isArray(c.value) && c.value.some((v) => deepEqual(actual, v))));
    case 'contains':
      if (Array.isArray(actual)) {
        if (actual.some(isUnknown)) return 'unknown';
        return holds(actual.some((v) => deepEqual(v, c.value)));
      }
      return holds(typeof actual === 'string' && typeof c.value === 'string' && actual.includes(c.value));
    case 'exists': {
      const present = actual !== undefined && actual !== null;
      return holds(c.value === false ? !present : present);
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const d = compare(actual, c.value);
      if (d === undefined) return 'false';
      return holds(c.op === 'gt' ? d > 0 : c.op === 'gte' ? d >= 0 : c.op === 'lt' ? d < 0 : d <= 0);
    }
    case 'matches':
      return holds(
        typeof actual === 'string' && typeof c.value === 'string' && regexFor(c.value).matcher(actual.slice(0, MATCH_INPUT_LIMIT)).find(),
      );
  }
}

export function isGroup(node: Condition | ConditionGroup): node is ConditionGroup {
  return 'all' in node || 'any' in node;
}

/** Evaluate a group against `subject` (the event as rules see it). */
export function evaluateConditions(group: ConditionGroup, subject: unknown): ConditionOutcome {
  const failed: ConditionOutcome['failed'] = [];
  const visit = (node: Condition | ConditionGroup): Truth => {
    if (!isGroup(node)) {
      const r = evaluateLeaf(node, subject);
      if (r !== 'true') failed.push({ field: node.field, op: node.op, value: node.value, actual: getPath(subject, node.field), result: r });
      return r;
    }
    const all = 'all' in node;
    const results = (all ? node.all : node.any).map(visit);
    if (all) return results.includes('false') ? 'false' : results.includes('unknown') ? 'unknown' : 'true';
    return results.includes('true') ? 'true' : results.includes('unknown') ? 'unknown' : 'false';
  };
  const result = visit(group);
  return { result, failed: result === 'true' ? [] : failed };
}
