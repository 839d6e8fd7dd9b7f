// Job inputs read strictly where a person writes them (a rule's step, `greenlight job run`): an
// unknown field is an error naming the closest valid one, and a profile written as a string where
// a profile object goes says to use profileId. Workers stay lenient (the engine may add fields).
import { jobInputSchemas, type JobType } from './inputs.js';

/** Job input fields every job type takes besides its own: follow-up jobs. */
const commonInputFields = ['nextJobs'];

/** Edit distance (insert, delete, substitute, swap neighbours), cut off past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/** The known name nearest to `name`, if one is near enough to be what was meant. */
export function closest(name: string, known: readonly string[]): string | null {
  const max = Math.max(2, Math.floor(name.length / 3));
  let best: string | null = null;
  let bestD = max + 1;
  for (const k of known) {
    const d = distance(name, k, max);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}
/** "did you mean …?" for `name`, or the known names when none is near. */
export const closestHint = (name: string, known: readonly string[]) => {
  const near = closest(name, known);
  return near ? `did you mean "${near}"?` : `known: ${known.join(', ')}`;
};

export const jobInputFields = (t: JobType): string[] => [...new Set([...Object.keys(jobInputSchemas[t].shape), ...commonInputFields])];
/** Keys the JSON bounds refuse on their own, with their own message. */
const boundsKeys = new Set(['__proto__', 'prototype', 'constructor']);

export interface NameProblem {
  path: (string | number)[];
  message: string;
}

/** Unknown fields of a job's input (rules and `job run` alike), and a profile given as a string. */
export function jobInputProblems(type: string, input: Record<string, unknown>, at: (string | number)[]): NameProblem[] {
  if (!(type in jobInputSchemas)) return []; // an unknown job type is refused by name elsewhere
  const known = jobInputFields(type as JobType);
  const out: NameProblem[] = [];
  for (const key of Object.keys(input)) {
    if (boundsKeys.has(key)) continue;
    if (key === 'profile' && type === 'export' && typeof input.profile === 'string')
      out.push({ path: [...at, key], message: `"profile" is a whole profile object; to name one ("${input.profile}"), use "profileId"` });
    else if (!known.includes(key))
      out.push({ path: [...at, key], message: `${type} has no input field "${key}": ${closestHint(key, known)}` });
  }
  return out;
}
