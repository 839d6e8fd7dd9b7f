// Stopping under a deadline, for the engine and the gpu-worker alike: wait for
// each part to close until the shutdown deadline's signal aborts, then record
// what was abandoned (and what threw) so the process can say it and exit 1.

/** What a stop gave up waiting for at its deadline, and what threw; both empty after a clean stop. */
export interface StopOutcome {
  abandoned: string[];
  failed: string[];
}

/** True once `p` settles (a rejection goes to `out.failed`); false, and `what` goes to `out.abandoned`, if `signal` aborts first. */
export async function settledBefore(
  what: string,
  p: Promise<unknown>,
  signal: AbortSignal | undefined,
  out: StopOutcome,
): Promise<boolean> {
  let late = false; // once abandoned, what it does later is no longer part of this outcome
  const settled = p.then(
    () => true,
    (err: unknown) => {
      if (!late) out.failed.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return true;
    },
  );
  let onAbort = () => {};
  const aborted = new Promise<boolean>((resolve) => {
    onAbort = () => resolve(false);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  const done = await Promise.race([settled, aborted]);
  signal?.removeEventListener('abort', onAbort);
  if (!done) {
    late = true;
    out.abandoned.push(what);
  }
  return done;
}
