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

const projectHome = (projectId: string) => `/review/projects/${encodeURIComponent(projectId)}`;

type Session = { kind: 'session'; exp: number; n: string; principal: Principal; csrf: string };
/** A link, compact (it rides in a chat button's URL, which Discord caps at 512 characters): kind, expiry, nonce, principal, path. */
type Link = ['l', number, string, Principal['kind'], string, string, Principal['role'], string];

export function createWebTrust(deps: { secret: Buffer; clock: Clock }) {
  const { secret, clock } = deps;
  /** Link nonces already redeemed, until their link would have expired anyway. */
  const redeemed = new BoundedMap<string, number>(100_000);
  // 128 bits of HMAC-SHA256: short enough for the link, far past guessing.
  const mac = (body: string) => createHmac('sha256', secret).update(body).digest().subarray(0, 16).toString('base64url');

  function seal(v: Session | Link): string {
    const body = Buffer.from(JSON.stringify(v)).toString('base64url');
    return `${body}.${mac(body)}`;
  }
  /** The signed value, or null when the signature does not hold. */
  function open(token: string): unknown {
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) return null;
    const want = Buffer.from(mac(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
    } catch {
      return null;
    }
  }
  const isLink = (v: unknown): v is Link => Array.isArray(v) && v.length === 8 && v[0] === 'l';
  const isSession = (v: unknown): v is Session => typeof v === 'object' && v !== null && (v as Session).kind === 'session';

  return {
    /** A link token for `p` (a chat user's principal in one project) that opens `path`, valid 15 minutes, once. */
    reviewLink(p: Principal, path: string): string {
      if (!p.projectId) throw new AuthError('forbidden', 'A review link is for one project.');
      // A path in the link's own project is kept without its prefix ('~' stands for it): the id is in the link already.
      const home = projectHome(p.projectId);
      const short = path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
      return seal(['l', clock.now() + LINK_TTL_MS, randomBytes(9).toString('base64url'), p.kind, p.id, p.projectId, p.role, short]);
    },
    /** Redeem a link token (once): whom it signs in and where it goes. */
    redeemLink(token: string): { principal: Principal; path: string } {
      const v = open(token);
      const newLink = 'Ask for a new link (they last 15 minutes and work once), or sign in with an API token.';
      if (!isLink(v)) throw new AuthError('unauthorized', `This review link is not one Greenlight made. ${newLink}`);
      const [, exp, nonce, kind, id, projectId, role, path] = v;
      if (exp < clock.now()) throw new AuthError('unauthorized', `This review link has expired (links last 15 minutes). ${newLink}`);
      if (redeemed.get(nonce) !== undefined)
        throw new AuthError('unauthorized', `This review link was used already (each works once). ${newLink}`);
      redeemed.set(nonce, exp);
      return { principal: { kind, id, projectId, role }, path: path.startsWith('~') ? `${projectHome(projectId)}${path.slice(1)}` : path };
    },
    /** A sealed session for the web's cookie: the principal and a CSRF token for its forms. */
    sealSession(p: Principal): { value: string; csrf: string; expiresAt: number } {
      const csrf = randomBytes(18).toString('base64url');
      const exp = clock.now() + SESSION_TTL_MS;
      return { value: seal({ kind: 'session', exp, n: randomBytes(9).toString('base64url'), principal: p, csrf }), csrf, expiresAt: exp };
    },
    openSession(value: string): { principal: Principal; csrf: string } | null {
      const v = open(value);
      return isSession(v) && v.exp >= clock.now() ? { principal: v.principal, csrf: v.csrf } : null;
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

/** Sessions signed in with an API token end when the token is revoked (a chat principal's end at expiry). */
export function revocable(trust: WebTrust, active: (tokenId: string) => boolean): WebTrust {
  return {
    ...trust,
    openSession(value) {
      const s = trust.openSession(value);
      return s && (s.principal.kind !== 'token' || active(s.principal.id)) ? s : null;
    },
  };
}
