// Id generation. Random ids carry a type prefix; none contains ':' (BullMQ job ids).
import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

// Random bytes are drawn 4 KiB at a time: one call per id cost more than the rest of an insert.
let pool = Buffer.alloc(0);
let offset = 0;

export function newId(prefix: string, bytes = 12): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(Math.max(4096, bytes));
    offset = 0;
  }
  let out = '';
  for (let i = 0; i < bytes; i++) out += alphabet[pool[offset + i]! & 31];
  offset += bytes;
  return `${prefix}_${out}`;
}

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
