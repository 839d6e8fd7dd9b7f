// Id generation. Random ids carry a type prefix; none contains ':' (BullMQ job ids).
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export function newId(prefix: string, bytes = 12): string {
  const buf = randomBytes(bytes);
  let out = '';
  for (const b of buf) out += alphabet[b & 31];
  return `${prefix}_${out}`;
}

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
