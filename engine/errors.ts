// Greenlight's error vocabulary: small classes with a stable `code` from one
// list, and the one place codes turn into HTTP statuses.

export const errorCodes = [
  'validation_failed',
  'bad_json',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'dry_run_required',
  'payload_too_large',
  'unsupported_media_type',
  'unavailable',
  'config_invalid',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface ErrorDetail {
  /** Dotted path of the failing field, e.g. `actions.0.config.type`. */
  path: string;
  message: string;
}

export class GreenlightError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: ErrorDetail[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GreenlightError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

export class ValidationError extends GreenlightError {
  constructor(message: string, details: ErrorDetail[], cause?: unknown) {
    super('validation_failed', message, { details, cause });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends GreenlightError {
  constructor(what: string, id: string) {
    super('not_found', `${what} '${id}' does not exist`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends GreenlightError {
  constructor(message: string, code: 'conflict' | 'dry_run_required' = 'conflict') {
    super(code, message);
    this.name = 'ConflictError';
  }
}

export class AuthError extends GreenlightError {
  constructor(code: 'unauthorized' | 'forbidden', message: string) {
    super(code, message);
    this.name = 'AuthError';
  }
}

/** The one exhaustive mapping from error code to HTTP status. */
export function httpStatusOf(code: ErrorCode): 400 | 401 | 403 | 404 | 409 | 413 | 415 | 500 | 503 {
  switch (code) {
    case 'validation_failed':
    case 'bad_json':
    case 'config_invalid':
      return 400;
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'conflict':
    case 'dry_run_required':
      return 409;
    case 'payload_too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
  }
}

/** Across process or library boundaries `instanceof` can fail: check the name too. */
export function isGreenlightError(err: unknown): err is GreenlightError {
  return (
    err instanceof GreenlightError ||
    (typeof err === 'object' &&
      err !== null &&
      'code' in err &&
      typeof (err as { code: unknown }).code === 'string' &&
      (errorCodes as readonly string[]).includes((err as { code: string }).code) &&
      err instanceof Error)
  );
}
