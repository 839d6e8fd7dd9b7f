// Redis connections for the bench clients, closed together at the end.
import { Redis } from 'ioredis';

export function connections(url: string) {
  const all: Redis[] = [];
  return {
    open(): Redis {
      const c = new Redis(url, { maxRetriesPerRequest: null });
      c.on('error', () => {
        // Bench connections: a Redis that goes away shows up as a failed phase, not as log noise.
      });
      all.push(c);
      return c;
    },
    closeAll(): void {
      for (const c of all) c.disconnect();
    },
  };
}
