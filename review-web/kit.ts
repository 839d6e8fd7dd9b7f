// What the review web's route groups share: rendering a page, who is signed
// in, and the wrappers that turn a handler into a signed-in route or a checked
// form post. app.tsx makes it; the route files take it.
import type { Context } from 'hono';
import type { Principal } from '../engine/index.js';
import type { PageContext } from './pages.js';

export const REVIEW_PATH = '/review';

export type Form = Record<string, string | string[]>;

export interface Kit {
  /** A page with the review web's headers (CSP, no-store). */
  page: (c: Context, body: unknown, status?: number) => Response;
  ctxOf: (c: Context, title: string, projectId?: string | null) => PageContext;
  sessionOf: (c: Context) => { principal: Principal; csrf: string } | null;
  /** A route for a signed-in principal: the sign-in form without a session, engine errors as pages. */
  signedIn: (handler: (c: Context, p: Principal) => Response | Promise<Response>) => (c: Context) => Promise<Response>;
  /** A form post by a signed-in principal, its form token checked first. */
  posted: (handler: (c: Context, p: Principal, form: Form) => Response | Promise<Response>) => (c: Context) => Promise<Response>;
  /** A failure as a page: engine errors keep their status and message. */
  failure: (c: Context, err: unknown) => Response;
  /** The signed-in principal, or the sign-in page. */
  who: (c: Context) => Principal | Response;
}
