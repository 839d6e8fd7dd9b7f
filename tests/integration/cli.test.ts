// The greenlight CLI as a user runs it: real processes, a temp data dir.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sign, SIGNING_SECRET, startFakeSlack } from '../helpers/slack.js';

const bin = path.resolve('bin/greenlight.mjs');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-cli-'));
const baseEnv = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), GREENLIGHT_DATA_DIR: dataDir };

function cli(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [bin, ...args], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

/**
 * `greenlight <args>` as a long-running process: resolves once it printed its URL and the bots' status line
 * (they are written one after the other, possibly in separate chunks); stop() sends SIGTERM and gives the exit code.
 */
async function startCli(args: string[], env: Record<string, string>) {
  // A process group of its own, as a terminal gives `npm start`: stop(…, true) is Ctrl-C, the signal to the whole group.
  const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no start-up lines: ${out}`)), 20_000);
    child.stdout.on('data', () => {
      const m = /running at (http:\/\/[^\s]+)/.exec(out);
      if (m && /Slack bot (on|off)/.test(out)) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
  });
  return {
    url,
    out: () => out,
    err: () => err,
    stop: (signal: NodeJS.Signals = 'SIGTERM', group = false) =>
      new Promise<number | null>((resolve) => {
        child.once('exit', resolve);
        if (group) process.kill(-child.pid!, signal);
        else child.kill(signal);
      }),
  };
}

describe('greenlight CLI', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('GIVEN --help on every command THEN each prints its usage', () => {
    const top = cli(['--help']);
    assert.equal(top.code, 0);
    for (const c of ['start', 'migrate', 'project', 'token', 'rule', 'event', 'worker', 'job'])
      assert.match(top.out, new RegExp(`\\b${c}\\b`));
    for (const args of [
      ['start'],
      ['migrate'],
      ['project', 'create'],
      ['project', 'role'],
      ['token', 'create'],
      ['rule', 'import'],
      ['rule', 'export'],
      ['event', 'emit'],
      ['worker'],
      ['job', 'run'],
    ]) {
      const r = cli([...args, '--help']);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, /^Usage: greenlight /, args.join(' '));
    }
  });

  it('GIVEN `job run` THEN one job runs in-process without Redis, progress goes to stderr and the output JSON to stdout', () => {
    const gen = cli(['job', 'run', 'generate', '--project', 'art', '--input', '{"assetId":"hero","count":2,"width":64,"height":64}']);
    assert.equal(gen.code, 0, gen.err);
    const out = JSON.parse(gen.out);
    assert.equal(out.variantIds.length, 2);
    assert.ok(fs.existsSync(path.join(dataDir, 'projects/art', out.contactSheet)));
    assert.match(gen.err, /100% done/);
    const cut = cli(['job', 'run', 'bg_remove', '--project', 'art', '--input', '{"assetId":"hero"}']);
    assert.equal(cut.code, 0, cut.err);
    assert.equal(JSON.parse(cut.out).alphaPaths.length, 2);
    const bad = cli(['job', 'run', 'bg_remove', '--project', 'art', '--input', '{"originalPath":"../../etc/passwd"}']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /originalPath: .* outside the project folder/);
    assert.equal(bad.out, '');
    const unknown = cli(['job', 'run', 'upscale', '--input', '{}']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown job type "upscale"/);
  });

  it('GIVEN `worker` with no Redis to find THEN it says what to set and exits non-zero', () => {
    const r = cli(['worker'], { GREENLIGHT_DATA_DIR: path.join(dataDir, 'nowhere') });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /REDIS_URL/);
    const q = cli(['worker', '--queues', 'bg_remove,upscale'], { REDIS_URL: 'redis://127.0.0.1:1' });
    assert.notEqual(q.code, 0);
    assert.match(q.err, /--queues: unknown job type\(s\) upscale/);
  });

  it('GIVEN the admin chores THEN project, token, rule import/export and event emit work on the data dir', () => {
    assert.equal(cli(['migrate']).code, 0);
    assert.equal(cli(['project', 'create', 'art', '--name', 'Art team']).code, 0);
    const tok = cli(['token', 'create', 'art', '--role', 'lead']);
    assert.equal(tok.code, 0);
    assert.match(JSON.parse(tok.out).token, /^gl_/);
    const file = path.join(dataDir, 'rule.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'cut out',
        trigger: { event: 'asset_approved' },
        actions: [{ type: 'enqueue_job', config: { type: 'bg_remove', input: { assetId: '${event.payload.assetId}' } } }],
      }),
    );
    const imported = cli(['rule', 'import', file, '--project', 'art']);
    assert.equal(imported.code, 0, imported.err);
    const id = JSON.parse(imported.out)[0].id;
    const exported = JSON.parse(cli(['rule', 'export', id, '--project', 'art']).out);
    assert.equal(exported.definition.trigger.event, 'asset.approved');
    assert.equal(exported.enabled, false);
    const ev = cli(['event', 'emit', 'art', 'asset_approved', '--payload', '{"assetId":"a1"}', '--idempotency-key', 'k1']);
    assert.equal(ev.code, 0, ev.err);
    const again = cli(['event', 'emit', 'art', 'asset_approved', '--payload', '{"assetId":"a1"}', '--idempotency-key', 'k1']);
    assert.equal(JSON.parse(again.out).id, JSON.parse(ev.out).id);
    assert.equal(JSON.parse(again.out).duplicate, true);
    const role = cli(['project', 'role', 'art', 'slack:U123', 'admin']);
    assert.equal(role.code, 0, role.err);
    assert.deepEqual(JSON.parse(role.out), { member: 'slack:U123', role: 'admin' });
    const badMember = cli(['project', 'role', 'art', 'U123', 'admin']);
    assert.equal(badMember.code, 2);
    assert.match(badMember.err, /slack:<user id>/);
  });

  it('GIVEN bad input THEN the CLI says what is wrong and exits non-zero', () => {
    const role = cli(['token', 'create', 'art', '--role', 'owner']);
    assert.equal(role.code, 2);
    assert.match(role.err, /role/);
    const payload = cli(['event', 'emit', 'art', 'a.b', '--payload', '{nope']);
    assert.notEqual(payload.code, 0);
    assert.match(payload.err, /not valid JSON/);
    const slack = cli(['start'], { SLACK_BOT_TOKEN: 'not-a-token', SLACK_SIGNING_SECRET: 'secret-123456' });
    assert.equal(slack.code, 2);
    assert.match(slack.err, /SLACK_BOT_TOKEN: must be a bot token starting with xoxb-/);
    const port = cli(['start'], { PORT: 'eighty' });
    assert.equal(port.code, 2);
    assert.match(port.err, /PORT/);
  });

  it('GIVEN no redis-server on PATH and no REDIS_URL THEN start says how to install it and exits non-zero', () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-path-'));
    fs.symlinkSync(process.execPath, path.join(bare, 'node'));
    const r = cli(['start'], { PATH: bare, PORT: '0' });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /apt-get install -y redis-server/);
    assert.match(r.err, /REDIS_URL/);
  });

  it('GIVEN Slack credentials THEN `greenlight start` says the bot is on and answers a signed url_verification at /slack/events; SIGTERM still stops it cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-cli-slack-'));
    const fake = await startFakeSlack();
    const env = {
      ...baseEnv,
      GREENLIGHT_DATA_DIR: dir,
      PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-cli-test',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
    };
    const { url, out, stop } = await startCli(['start', '--no-worker'], env);
    try {
      assert.match(out(), /Slack bot on: events, interactivity and slash commands at \/slack\/events/);
      const body = JSON.stringify({ token: 'x', challenge: 'cli-challenge', type: 'url_verification' });
      const res = await fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(body) },
        body,
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { challenge: string }).challenge, 'cli-challenge');
      const forged = await fetch(`${url}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...sign(body, undefined, 'wrong-secret-123') },
        body,
      });
      assert.equal(forged.status, 401);
    } finally {
      assert.equal(await stop(), 0);
      await fake.close();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Piped (as here), start-up speaks JSON lines only; LOG_FORMAT=pretty makes every line a readable one.
  for (const [args, format] of [
    [['start'], 'auto'],
    [['start', '--no-worker'], 'pretty'],
  ] as const)
    it(`GIVEN \`greenlight ${args.join(' ')}\` on the embedded defaults (LOG_FORMAT ${format}) THEN it serves /healthz with a private Redis, logs in one format and stops cleanly on SIGTERM`, async () => {
      // A data dir of its own each, so each start generates its bootstrap token.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-cli-start-'));
      const { url, out, err, stop } = await startCli([...args], { ...baseEnv, GREENLIGHT_DATA_DIR: dir, PORT: '0', LOG_FORMAT: format });
      let stopped = false;
      try {
        const health = (await (await fetch(`${url}/healthz`)).json()) as { ok: boolean; redis: boolean };
        assert.deepEqual([health.ok, health.redis], [true, true]);
        assert.match(out(), /Generated a bootstrap admin token/);
        assert.match(out(), /Slack bot off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/);
        assert.match(out(), /Discord bot off: set DISCORD_TOKEN and DISCORD_APP_ID/);
        const lines = out().split('\n').filter(Boolean);
        for (const l of lines)
          if (format === 'pretty') assert.match(l, /^\d\d:\d\d:\d\d\.\d{3} (INFO |WARN |ERROR|DEBUG) /, `a readable log line: ${l}`);
          else assert.doesNotThrow(() => JSON.parse(l), `a JSON log line: ${l}`);
        // Ctrl-C in the terminal: SIGINT to the whole group. The private redis-server is not in it, so Greenlight
        // closes its queues on a live Redis and stops it after (it used to die first: 10 s wait, exit 1, "abandoned").
        const t0 = Date.now();
        stopped = true;
        assert.equal(await stop('SIGINT', true), 0, `exit 0 on Ctrl-C; stderr: ${err()}`);
        assert.doesNotMatch(err(), /abandoned/);
        assert.ok(Date.now() - t0 < 5000, `stopped in ${Date.now() - t0} ms`);
      } finally {
        // A failed assertion must not leave the server running (the test run would never end).
        if (!stopped) await stop();
      }
      assert.ok(fs.existsSync(path.join(dir, 'redis', 'redis.log')), 'private redis kept its files under the data dir');
      fs.rmSync(dir, { recursive: true, force: true });
    });
});
