// Review web I, routes through app.request(): sign-in by a chat card's signed link (once) or an API
// token, the project home and the asset page, decisions as forms (CSRF: origin and form token),
// bad input shown on the form with nothing changed, thumbnails with ETags.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import sharp from 'sharp';
import { reviewPathOf } from '../../bot/views/variant.js';
import { createWebTrust, sessionSecret } from '../../engine/testing.js';
import { mountReviewWeb } from '../../review-web/app.js';
import { makeEngine, stopTestRedis, type TestEngine } from '../helpers/engine.js';

const P = '/api/projects/art';
let t: TestEngine;
let dataDir: string;
let artistToken: string;
const ORIGIN = 'http://localhost';

const cookieOf = (res: Response) => /gl_review=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
const get = (url: string, cookie?: string | null, headers: Record<string, string> = {}) =>
  t.app.request(url, { headers: { ...(cookie ? { cookie: `gl_review=${cookie}` } : {}), ...headers } });
const post = (url: string, fields: Record<string, string | string[]>, cookie: string | null, origin = ORIGIN) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of ([] as string[]).concat(v)) body.append(k, x);
  return t.app.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, ...(cookie ? { cookie: `gl_review=${cookie}` } : {}) },
    body: body.toString(),
  });
};
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const keyOf = (html: string) => /name="key" value="([^"]+)"/.exec(html)?.[1] ?? '';
const events = (type: string, subject: string) =>
  (t.door.sql.prepare('SELECT count(*) AS n FROM events WHERE type = ? AND subject_id = ?').get(type, subject) as { n: number }).n;

describe('review web (routes)', () => {
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-web-'));
    t = await makeEngine({ dataDir });
    mountReviewWeb(t.app, t.engine, { dataDir, publicUrl: null, logger: pino({ level: 'silent' }) });
    const roles = { 'discord:1001': 'artist', 'slack:UADMIN': 'admin' };
    assert.equal(
      (await t.call('POST', '/api/projects', { id: 'art', name: 'Art', settings: { roles, tagGroups: { quality: ['high', 'low'] } } }))
        .status,
      201,
    );
    assert.equal(
      (
        await t.call('POST', `${P}/assets`, {
          id: 'knight',
          type: 'character',
          name: 'Knight',
          variants: [{ id: 'knight-1' }, { id: 'knight-2' }, { id: 'knight-3' }],
        })
      ).status,
      201,
    );
    artistToken = (await t.call('POST', `${P}/tokens`, { role: 'artist' })).body.token;
    // A real image for the first variant's thumbnail.
    const rel = 'files/images/knight/original/knight-1.png';
    const abs = t.engine.files.path('art', rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    await sharp({ create: { width: 640, height: 640, channels: 4, background: { r: 200, g: 40, b: 40, alpha: 1 } } })
      .png()
      .toFile(abs);
    t.door.store.entities.updateVariant('knight-1', { files: { original: rel } });
  });
  after(async () => {
    await t.close();
    await stopTestRedis();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GIVEN a signed link from a chat card THEN it signs in once as that chat user, and an expired, reused, forged or garbled link gets a 401 page that says how to get a new one', async () => {
    const artist = t.engine.chat.principalFor('discord', '1001', 'art')!;
    const link = t.engine.web.reviewLink(artist, '/review/projects/art/variants/knight-2');
    const first = await get(`/review/link?t=${encodeURIComponent(link)}`);
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/review/projects/art/variants/knight-2');
    const setCookie = first.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\/review/);
    const cookie = cookieOf(first);
    const open = await get('/review/projects/art/variants/knight-2', cookie);
    assert.equal(open.status, 302);
    assert.equal(open.headers.get('location'), '/review/projects/art/assets/knight#v-knight-2');
    const page = await get('/review/projects/art/assets/knight', cookie);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /discord:1001 · artist · art/);
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
    assert.doesNotMatch(page.headers.get('content-security-policy')!, /unsafe-inline/);

    // A link Greenlight made 16 minutes ago (same secret, the clock then).
    const then = createWebTrust({ secret: sessionSecret(undefined, dataDir), clock: { now: () => Date.now() - 16 * 60 * 1000 } });
    const expired = then.reviewLink(artist, '/review/projects/art');
    for (const [what, url, message] of [
      ['expired', `/review/link?t=${encodeURIComponent(expired)}`, /expired \(links last 15 minutes\)/],
      ['reused', `/review/link?t=${encodeURIComponent(link)}`, /used already/],
      ['forged', `/review/link?t=${encodeURIComponent(link.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')))}`, /not one Greenlight made/],
      ['garbled', '/review/link?t=nonsense', /not one Greenlight made/],
    ] as const) {
      const res = await get(url);
      assert.equal(res.status, 401, what);
      const body = await res.text();
      assert.match(body, message, what);
      assert.match(body, /Ask for a new link/, what);
      assert.equal(cookieOf(res), null, `${what}: no session`);
    }
  });

  it('GIVEN no session THEN pages answer with the sign-in form; an API token signs in; a wrong one is refused', async () => {
    const res = await get('/review/projects/art');
    assert.equal(res.status, 401);
    assert.match(await res.text(), /Sign in/);
    const bad = await post('/review/sign-in', { token: 'nope' }, null);
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /unknown or revoked/);
    const ok = await post('/review/sign-in', { token: artistToken, next: '/review/projects/art' }, null);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/review/projects/art');
    const home = await get('/review/projects/art', cookieOf(ok));
    assert.equal(home.status, 200);
    const html = await home.text();
    assert.match(html, /Waiting for review \(1\)/);
    assert.match(html, /Knight/);
  });

  it('GIVEN the asset page THEN Approve by form records one variant.approved (a double submit too); a foreign origin or a missing form token is refused and records nothing; bad input comes back on the form', async () => {
    const signedIn = cookieOf(await post('/review/sign-in', { token: artistToken }, null))!;
    const html = await (await get('/review/projects/art/assets/knight', signedIn)).text();
    const fields = { _csrf: csrfOf(html), key: keyOf(html), decision: 'approve', note: 'clean silhouette' };
    assert.equal((await post('/review/projects/art/variants/knight-1', fields, signedIn, 'https://evil.example')).status, 403);
    assert.equal((await post('/review/projects/art/variants/knight-1', { ...fields, _csrf: 'wrong' }, signedIn)).status, 403);
    assert.equal(events('variant.approved', 'knight-1'), 0, 'nothing recorded by refused posts');
    const ok = await post('/review/projects/art/variants/knight-1', fields, signedIn);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/review/projects/art/assets/knight#v-knight-1');
    assert.equal((await post('/review/projects/art/variants/knight-1', fields, signedIn)).status, 303);
    assert.equal(events('variant.approved', 'knight-1'), 1, 'a double submit records once');
    const v = t.engine.entities.getVariant(t.engine.authenticate(artistToken)!, 'art', 'knight-1');
    assert.equal(v.status, 'approved');
    assert.equal(v.notes.at(-1)!.text, 'clean silhouette');

    const tag = await post(
      '/review/projects/art/variants/knight-1',
      { _csrf: fields._csrf, key: 'k-tag', decision: 'tag', tags: 'quality:high' },
      signedIn,
    );
    assert.equal(tag.status, 303);
    assert.deepEqual(t.engine.entities.getVariant(t.engine.authenticate(artistToken)!, 'art', 'knight-1').tags, ['quality:high']);

    const before = (t.door.sql.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const bad = await post('/review/projects/art/variants/knight-2', { _csrf: fields._csrf, key: 'k-bad', decision: 'maybe' }, signedIn);
    assert.equal(bad.status, 400);
    const badHtml = await bad.text();
    assert.match(badHtml, /role="alert"[^>]*>[^<]*decision/);
    assert.equal((t.door.sql.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, before, 'nothing changed');
  });

  it('GIVEN "Approve asset" on the asset page THEN an artist is told it is the lead’s call; a lead’s press (twice) is one asset.approved with the approved variants', async () => {
    const artist = cookieOf(await post('/review/sign-in', { token: artistToken }, null))!;
    const html = await (await get('/review/projects/art/assets/knight', artist)).text();
    assert.match(html, /Approve asset \(1 approved variant\)/, 'knight-1 was approved above');
    const fields = { _csrf: csrfOf(html), key: 'k-asset', decision: 'approve' };
    const refused = await post('/review/projects/art/assets/knight/approve', fields, artist);
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /role="alert"[^>]*>Approving the asset is a lead’s call/);
    assert.equal(events('asset.approved', 'knight'), 0);

    const leadToken = (await t.call('POST', `${P}/tokens`, { role: 'lead' })).body.token;
    const lead = cookieOf(await post('/review/sign-in', { token: leadToken }, null))!;
    const leadFields = { ...fields, _csrf: csrfOf(await (await get('/review/projects/art/assets/knight', lead)).text()) };
    for (let i = 0; i < 2; i++) {
      const ok = await post('/review/projects/art/assets/knight/approve', leadFields, lead);
      assert.equal(ok.status, 303);
      assert.equal(ok.headers.get('location'), '/review/projects/art/assets/knight');
    }
    assert.equal(events('asset.approved', 'knight'), 1, 'a double submit records once');
    const row = t.door.sql.prepare(`SELECT payload FROM events WHERE type = 'asset.approved'`).get() as { payload: string };
    assert.deepEqual(JSON.parse(row.payload).variantIds, ['knight-1']);
    assert.match(await (await get('/review/projects/art/assets/knight', lead)).text(), /asset approved/);
  });

  it('GIVEN a variant image THEN its thumbnail is resized by sharp, cached, and answered 304 to its ETag', async () => {
    const signedIn = cookieOf(await post('/review/sign-in', { token: artistToken }, null))!;
    const html = await (await get('/review/projects/art/assets/knight', signedIn)).text();
    const src = /<img src="([^"]+)"/.exec(html)![1]!;
    const res = await get(src, signedIn);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/webp');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.equal(meta.width, 320);
    const etag = res.headers.get('etag')!;
    assert.equal((await get(src, signedIn, { 'if-none-match': etag })).status, 304);
    assert.equal(fs.readdirSync(path.join(dataDir, 'cache', 'thumbs')).length, 1, 'cached on disk');
    assert.equal((await get(src)).status, 401, 'thumbnails need a session');
    assert.equal((await get('/review/thumbs/art/..%2F..%2Fgreenlight.db', signedIn)).status >= 400, true, 'no path out of the project');
  });

  it('GIVEN the variant path an "Open in review" link leads to THEN, signed in, it opens the variant’s card on its asset page', async () => {
    const signedIn = cookieOf(await post('/review/sign-in', { token: artistToken }, null))!;
    const link = new URL(`https://greenlight.example${reviewPathOf('art', 'knight-2')}`);
    const res = await get(link.pathname, signedIn);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), '/review/projects/art/assets/knight#v-knight-2');
    const page = await (await get('/review/projects/art/assets/knight', signedIn)).text();
    assert.match(page, /id="v-knight-2"/);
    assert.equal((await get(link.pathname)).status, 401, 'without a session: the sign-in form');
  });

  it('GIVEN 2–4 variants to compare THEN the page shows their full-size pictures and decision forms that come back to it; too few, unknown ids or an unknown mode get the page with what to fix', async () => {
    const signedIn = cookieOf(await post('/review/sign-in', { token: artistToken }, null))!;
    const url = '/review/projects/art/assets/knight/compare?v=knight-1&v=knight-2';
    const res = await get(url, signedIn);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.equal(html.match(/class="pane"/g)?.length, 2);
    assert.equal(html.match(/class="card /g)?.length, 2);
    const src = /class="layer a"><img src="([^"]+)"/.exec(html)![1]!;
    assert.equal(src, '/review/files/art/files/images/knight/original/knight-1.png');
    const original = await get(src, signedIn);
    assert.equal(original.status, 200);
    assert.equal(original.headers.get('content-type'), 'image/png');
    assert.equal((await sharp(Buffer.from(await original.arrayBuffer())).metadata()).width, 640, 'the original, not a thumbnail');
    assert.equal((await get(src)).status, 401, 'originals need a session');
    assert.ok((await get('/review/files/art/..%2F..%2Fgreenlight.db', signedIn)).status >= 400, 'no path out of the project');
    fs.writeFileSync(t.engine.files.path('art', 'notes.txt'), 'not an image');
    assert.equal((await get('/review/files/art/notes.txt', signedIn)).status, 404, 'only images');

    // A decision from the compare page returns to it; a "back" outside the project is ignored.
    const fields = { _csrf: csrfOf(html), key: 'k-cmp', decision: 'reject', back: url };
    const decided = await post('/review/projects/art/variants/knight-2', fields, signedIn);
    assert.equal(decided.status, 303);
    assert.equal(decided.headers.get('location'), `${url}#v-knight-2`);
    const elsewhere = await post(
      '/review/projects/art/variants/knight-2',
      { ...fields, key: 'k-cmp2', back: 'https://evil.example/' },
      signedIn,
    );
    assert.equal(elsewhere.headers.get('location'), '/review/projects/art/assets/knight#v-knight-2');

    const wipe = await (await get(`${url}&mode=wipe`, signedIn)).text();
    assert.equal(wipe.match(/class="pane"/g)?.length, 1, 'wipe: one pane');
    assert.match(wipe, /class="layer a"[^]*class="layer b"/);
    for (const [query, message] of [
      ['v=knight-1', /v: choose 2 to 4 variants to compare \(1 chosen\)/],
      ['v=knight-1&v=knight-1', /v: choose 2 to 4 variants to compare \(1 chosen\)/],
      ['v=knight-1&v=ghost', /v: &#39;ghost&#39; is not a variant of knight/],
      ['v=knight-1&v=knight-2&mode=zoom', /mode: &#39;zoom&#39; is not a compare mode; use side, wipe, onion, diff/],
    ] as const) {
      const bad = await get(`/review/projects/art/assets/knight/compare?${query}`, signedIn);
      assert.equal(bad.status, 400, query);
      const body = await bad.text();
      assert.match(body, message, query);
      assert.match(body, /class="pane"/, `${query}: still a page to work from`);
    }
  });

  it('GIVEN bad form input THEN each form comes back with the field’s error and nothing changes: an empty note, a halt without a reason, an approval without a decision', async () => {
    const signedIn = cookieOf(await post('/review/sign-in', { token: artistToken }, null))!;
    const html = await (await get('/review/projects/art/assets/knight', signedIn)).text();
    const count = () => (t.door.sql.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    const before = count();
    const note = await post(
      '/review/projects/art/variants/knight-3',
      { _csrf: csrfOf(html), key: 'k-n', decision: 'note', note: '  ' },
      signedIn,
    );
    assert.equal(note.status, 400);
    assert.match(await note.text(), /role="alert"[^>]*>note: write the note first/);
    assert.equal(count(), before);
    const saved = await post(
      '/review/projects/art/variants/knight-3',
      { _csrf: csrfOf(html), key: 'k-n2', decision: 'note', note: 'ears too big' },
      signedIn,
    );
    assert.equal(saved.status, 303);
    const v3 = t.engine.entities.getVariant(t.engine.authenticate(artistToken)!, 'art', 'knight-3');
    assert.equal(v3.notes.at(-1)!.text, 'ears too big');
    assert.equal(v3.status, 'pending', 'saving a note decides nothing');

    const admin = t.engine.chat.principalFor('slack', 'UADMIN', 'art')!;
    const adminCookie = cookieOf(
      await get(`/review/link?t=${encodeURIComponent(t.engine.web.reviewLink(admin, '/review/projects/art/halt'))}`),
    )!;
    const haltHtml = await (await get('/review/projects/art/halt', adminCookie)).text();
    const halt = await post('/review/projects/art/halt', { _csrf: csrfOf(haltHtml), reason: '' }, adminCookie);
    assert.equal(halt.status, 400);
    assert.match(await halt.text(), /role="alert"[^>]*>reason: say why automation must stop/);
    assert.deepEqual((await t.call('GET', `${P}/halts`)).body.halts, []);

    const approval = await post('/review/projects/art/approvals/apr_nothing', { _csrf: csrfOf(haltHtml), decision: 'maybe' }, adminCookie);
    assert.equal(approval.status, 400);
    assert.match(await approval.text(), /role="alert"[^>]*>decision: choose Approve or Deny/);
    const unknown = await post('/review/projects/art/approvals/apr_nothing', { _csrf: csrfOf(haltHtml), decision: 'approve' }, adminCookie);
    assert.equal(unknown.status, 404);
    assert.equal(count(), before + 1, 'only the saved note was recorded');
  });

  it('GIVEN an artist THEN the approvals inbox and the halt switch are refused, and a halt posted anyway changes nothing', async () => {
    const signedIn = cookieOf(await post('/review/sign-in', { token: artistToken }, null))!;
    const inbox = await get('/review/projects/art/approvals', signedIn);
    assert.equal(inbox.status, 403);
    assert.match(await inbox.text(), /Not allowed/);
    const html = await (await get('/review/projects/art', signedIn)).text();
    const halted = await post('/review/projects/art/halt', { _csrf: csrfOf(html), reason: 'artist tries' }, signedIn);
    assert.equal(halted.status, 403);
    assert.deepEqual((await t.call('GET', `${P}/halts`)).body.halts, []);
  });

  it('GIVEN the static files THEN their names carry a content hash and they are cached for a year', async () => {
    const html = await (await get('/review/sign-in')).text();
    const css = /href="(\/review\/static\/review\.[0-9a-f]{12}\.css)"/.exec(html)![1]!;
    const res = await get(css);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('cache-control')!, /max-age=31536000, immutable/);
    assert.equal((await get('/review/static/review.000000000000.css')).status, 404);
  });
});
