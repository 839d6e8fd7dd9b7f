// The worker's two kinds of failure. Bad input (unreadable image, path outside
// the project, impossible parameters) must not be retried: the worker turns a
// JobInputError into BullMQ's UnrecoverableError. Anything else is a passing
// fault and is retried with backoff. Across a thread boundary only `name`
// survives, so callers test `isJobInputError`, never `instanceof` alone.

export class JobInputError extends Error {
  /** Dotted path of the input field at fault, e.g. `frames.3`. */
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = 'JobInputError';
    this.field = field;
  }
}

/** A method or provider that this host cannot run (no model file, no ComfyUI URL). */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnavailableError';
  }
}

/** An installed dependency is not the version this code was written for: a deployment fault, found at start-up. */
export class DependencyVersionError extends Error {
  /** The package at fault, e.g. `maxrects-packer`. */
  readonly dependency: string;
  constructor(dependency: string, message: string) {
    super(message);
    this.name = 'DependencyVersionError';
    this.dependency = dependency;
  }
}

export function isJobInputError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'JobInputError' || err.name === 'UnavailableError');
}
