// The review web's trust, kept in the engine so no face holds the secret:
// "Open in review" link tokens (HMAC-SHA256, at most 15 minutes, one project,
// one chat user's principal, redeemed once) and sealed session values for the
// web's cookie. The secret is GREENLIGHT_SESSION_SECRET, or one generated and
// kept under the data dir (mode 0600).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AuthError } from '../errors.js';
import type { Clock } from '../ids.js';
import type { Principal } from '../auth/principal.js';
import { BoundedMap } from '../store/context.js';

export const LINK_TTL_MS = 15 * 60 * 1000;
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** The session secret: the configured one, else the one under the data dir (made on first use). */
export function sessionSecret(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = path.join(dataDir, 'session-secret');
  const read = () => Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
  if (fs.existsSync(file)) return read();
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process on the same data dir made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return read();
}

type Sealed = { kind: 'link' | 'session'; exp: number; n: string; principal: Principal; path?: string; csrf?: string };

export function createWebTrust(deps: { secret: Buffer; clock: Clock }) {
  const { secret, clock } = deps;
  /** Link nonces already redeemed, until their link would have expired anyway. */
  const redeemed = new BoundedMap<string, number>(100_000);
  const mac = (body: string) => createHmac('sha256', secret).update(body).digest('base64url');

  function seal(v: Sealed): string {
    const body = Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${body}.${mac(body)}`;
  }
  function open(token: string, kind: Sealed['kind']): Sealed | 'forged' | 'expired' {
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return 'forged';
    const want = Buffer.from(mac(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return 'forged';
    let v: Sealed;
    try {
      v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Sealed;
    } catch {
      return 'forged';
    }
    if (v.kind !== kind) return 'forged';
    return v.exp < clock.now() ? 'expired' : v;
  }

  return {
    /** A link token for `p` (a chat user's principal in one project) that opens `path`, valid 15 minutes, once. */
    reviewLink(p: Principal, path: string): string {
      if (!p.projectId) throw new AuthError('forbidden', 'A review link is for one project.');
      return seal({ kind: 'link', exp: clock.now() + LINK_TTL_MS, n: randomBytes(12).toString('base64url'), principal: p, path });
    },
    /** Redeem a link token (once): whom it signs in and where it goes. */
    redeemLink(token: string): { principal: Principal; path: string } {
      const v = open(token, 'link');
      const newLink = 'Ask for a new link (they last 15 minutes and work once), or sign in with an API token.';
      if (v === 'forged') throw new AuthError('unauthorized', `This review link is not one Greenlight made. ${newLink}`);
      if (v === 'expired') throw new AuthError('unauthorized', `This review link has expired (links last 15 minutes). ${newLink}`);
      if (redeemed.get(v.n) !== undefined)
        throw new AuthError('unauthorized', `This review link was used already (each works once). ${newLink}`);
      redeemed.set(v.n, v.exp);
      return { principal: v.principal, path: v.path ?? '/' };
    },
    /** A sealed session for the web's cookie: the principal and a CSRF token for its forms. */
    sealSession(p: Principal): { value: string; csrf: string; expiresAt: number } {
      const csrf = randomBytes(18).toString('base64url');
      const exp = clock.now() + SESSION_TTL_MS;
      return { value: seal({ kind: 'session', exp, n: randomBytes(9).toString('base64url'), principal: p, csrf }), csrf, expiresAt: exp };
    },
    openSession(value: string): { principal: Principal; csrf: string } | null {
      const v = open(value, 'session');
      return typeof v === 'string' ? null : { principal: v.principal, csrf: v.csrf ?? '' };
    },
  };
}
export type WebTrust = ReturnType<typeof createWebTrust>;

/** The web trust, made on first use: an engine that serves no review web writes no secret. */
export function lazyWebTrust(o: { configured: string | undefined; dataDir: string; clock: Clock }): WebTrust {
  let trust: WebTrust | null = null;
  const get = () => (trust ??= createWebTrust({ secret: sessionSecret(o.configured, o.dataDir), clock: o.clock }));
  return {
    reviewLink: (p, path) => get().reviewLink(p, path),
    redeemLink: (token) => get().redeemLink(token),
    sealSession: (p) => get().sealSession(p),
    openSession: (value) => get().openSession(value),
  };
}
