// Review links and sessions: signed, short-lived, single use; nothing else opens them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWebTrust, LINK_TTL_MS, SESSION_TTL_MS } from '../../../engine/services/web.js';

const artist = { kind: 'chat' as const, id: 'discord:1001', projectId: 'art', role: 'artist' as const };

describe('review links and sessions', () => {
  it('GIVEN a link past 15 minutes THEN it is refused as expired; one inside them works once', () => {
    let now = 1_000_000;
    const trust = createWebTrust({ secret: Buffer.alloc(32, 7), clock: { now: () => now } });
    const late = trust.reviewLink(artist, '/review/projects/art');
    now += LINK_TTL_MS + 1;
    assert.throws(() => trust.redeemLink(late), /expired \(links last 15 minutes\)/);
    const fresh = trust.reviewLink(artist, '/review/projects/art');
    assert.deepEqual(trust.redeemLink(fresh), { principal: artist, path: '/review/projects/art' });
    assert.throws(() => trust.redeemLink(fresh), /used already/);
  });

  it('GIVEN another secret, a session value used as a link, or a link as a session THEN each is refused', () => {
    const clock = { now: () => 5 };
    const a = createWebTrust({ secret: Buffer.alloc(32, 1), clock });
    const b = createWebTrust({ secret: Buffer.alloc(32, 2), clock });
    assert.throws(() => b.redeemLink(a.reviewLink(artist, '/review')), /not one Greenlight made/);
    const session = a.sealSession(artist);
    assert.throws(() => a.redeemLink(session.value), /not one Greenlight made/);
    assert.equal(a.openSession(a.reviewLink(artist, '/review')), null);
    assert.equal(b.openSession(session.value), null);
    assert.deepEqual(a.openSession(session.value), { principal: artist, csrf: session.csrf });
  });

  it('GIVEN a session past 12 hours THEN it no longer opens', () => {
    let now = 0;
    const trust = createWebTrust({ secret: Buffer.alloc(32, 3), clock: { now: () => now } });
    const s = trust.sealSession(artist);
    now = SESSION_TTL_MS + 1;
    assert.equal(trust.openSession(s.value), null);
  });

  it('GIVEN a 64-character project id and a 128-character variant id THEN the link still fits a Discord link button (512 characters)', () => {
    const trust = createWebTrust({ secret: Buffer.alloc(32, 4), clock: { now: () => 1_800_000_000_000 } });
    const p = { kind: 'chat' as const, id: 'discord:12345678901234567890', projectId: 'p'.repeat(64), role: 'artist' as const };
    const path = `/review/projects/${p.projectId}/variants/${'v'.repeat(128)}`;
    const url = `https://greenlight.example.com/review/link?t=${encodeURIComponent(trust.reviewLink(p, path))}`;
    assert.ok(url.length <= 512, `${url.length} characters`);
    assert.deepEqual(trust.redeemLink(new URL(url).searchParams.get('t')!), { principal: p, path });
  });
});
