// Issue #17 item 3: ids and names that become path segments must not steer
// outputs. Ids are never "." / ".." nor start with a dot (every id field of
// every job, the project id); profile folders are relative and drive-less; and
// every path placed in an export bundle is checked after `{atlasId}` /
// `{assetId}` are substituted and file names joined — so bundle.zip never holds
// an entry with "..", a backslash or an absolute path (checked by listing it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { idSchema, workJobDataSchema } from '../../../engine/jobs/contracts.js';
import { localContext } from '../../../gpu-worker/context.js';
import { isJobInputError } from '../../../gpu-worker/errors.js';
import { projectRoot } from '../../../gpu-worker/files.js';
import { runJob } from '../../../gpu-worker/processors/index.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-ids-'));
const root = path.join(dataDir, 'projects/art');
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
const ctx = (jobId: string) => localContext({ dataDir, projectId: 'art', jobId, settings: { gpu: false } });
const ID_MESSAGE = 'use 1-128 letters, digits, "_", "-" or "." (not starting with ".")';

/** Every entry of a zip is a plain relative path that stays inside the folder it is unzipped into. */
function assertSafeEntries(names: string[]): void {
  assert.ok(names.length > 0);
  for (const n of names) {
    assert.ok(!n.startsWith('/'), `absolute entry ${n}`);
    assert.ok(!/^[A-Za-z]:/.test(n), `drive-letter entry ${n}`);
    assert.ok(!n.includes('\\'), `backslash in entry ${n}`);
    assert.ok(!n.split('/').includes('..'), `".." in entry ${n}`);
    assert.ok(!n.split('/').includes('.'), `"." in entry ${n}`);
    assert.equal(path.posix.normalize(n), n, `entry ${n} is not normalised`);
  }
}

const refusedAs = (field: string, message: RegExp | string) => (err: Error & { field?: string }) => {
  assert.ok(isJobInputError(err), `expected a JobInputError, got ${err.name}: ${err.message}`);
  assert.equal(err.field, field, err.message);
  if (typeof message === 'string') assert.ok(err.message.includes(message), err.message);
  else assert.match(err.message, message);
  return true;
};

describe('ids and bundle paths', () => {
  before(async () => {
    // One real asset with a cut-out, packed as atlas "a".
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" fill="#fff"/><rect x="12" y="12" width="24" height="24" fill="#c02020"/></svg>';
    fs.mkdirSync(path.join(root, 'files/images/hero/original'), { recursive: true });
    fs.writeFileSync(path.join(root, 'files/images/hero/original/v1.png'), await sharp(Buffer.from(svg)).png().toBuffer());
    await runJob('bg_remove', { assetId: 'hero' }, ctx('cut'));
    await runJob('pack_atlas', { atlasId: 'a', assetIds: ['hero'] }, ctx('pack'));
  });

  it('GIVEN ".", "..", or a leading dot THEN idSchema refuses it with what to use; ordinary dotted ids still pass', () => {
    for (const bad of ['.', '..', '.hidden', '..x', '', 'a/b', 'a:b']) {
      const r = idSchema.safeParse(bad);
      assert.equal(r.success, false, `"${bad}" must be refused`);
      assert.equal(r.error!.issues[0]!.message, ID_MESSAGE);
    }
    for (const ok of ['a', 'hero_1', 'v1.2.3', 'a..b', 'x.', 'A-b_c.d', 'x'.repeat(128)]) assert.ok(idSchema.safeParse(ok).success, ok);
    assert.equal(workJobDataSchema.safeParse({ projectId: '..', runId: 'r', stepId: 's', input: {} }).success, false);
  });

  it('GIVEN pack_atlas with atlasId ".." THEN the job fails on atlasId and nothing is written in the project root', async () => {
    await assert.rejects(runJob('pack_atlas', { atlasId: '..', assetIds: ['hero'] }, ctx('p-dotdot')), refusedAs('atlasId', ID_MESSAGE));
    assert.deepEqual(fs.readdirSync(root).sort(), ['atlases', 'files']);
  });

  it('GIVEN export with atlasIds [".."] (an atlas written into the project root) THEN the job fails and no bundle has "../" entries', async () => {
    // What an earlier pack_atlas with atlasId ".." left behind: atlas files in the project root.
    for (const f of fs.readdirSync(path.join(root, 'atlases/a'))) fs.copyFileSync(path.join(root, 'atlases/a', f), path.join(root, f));
    try {
      await assert.rejects(
        runJob('export', { exportId: 'x-dotdot', atlasIds: ['..'] }, ctx('x-dotdot')),
        refusedAs('atlasIds.0', ID_MESSAGE),
      );
      assert.equal(fs.existsSync(path.join(root, 'exports/x-dotdot')), false);
    } finally {
      for (const f of fs.readdirSync(path.join(root, 'atlases/a'))) fs.rmSync(path.join(root, f));
    }
  });

  it('GIVEN "..", "." or ".hidden" in any id field of any job THEN the job fails naming that field', async () => {
    const cases: [string, (id: string) => Record<string, unknown>, string][] = [
      ['generate', (id) => ({ assetId: id }), 'assetId'],
      ['generate', (id) => ({ specId: id }), 'specId'],
      ['bg_remove', (id) => ({ assetId: id }), 'assetId'],
      ['bg_remove', (id) => ({ assetId: 'hero', variantId: id }), 'variantId'],
      ['pack_atlas', (id) => ({ atlasId: id, assetIds: ['hero'] }), 'atlasId'],
      ['pack_atlas', (id) => ({ assetIds: ['hero', id] }), 'assetIds.1'],
      ['export', (id) => ({ exportId: id, atlasIds: ['a'] }), 'exportId'],
      ['export', (id) => ({ atlasIds: ['a', id] }), 'atlasIds.1'],
      ['export', (id) => ({ assetIds: [id], profileId: 'custom' }), 'assetIds.0'],
      ['export', (id) => ({ atlasIds: ['a'], profile: { id, formats: ['custom'] } }), 'profile.id'],
      ['eval_grid', (id) => ({ prompts: ['p'], size: 32, releaseId: id }), 'releaseId'],
    ];
    for (const id of ['..', '.', '.hidden'])
      for (const [type, input, field] of cases)
        await assert.rejects(runJob(type, input(id), ctx(`ids-${type}`)), refusedAs(field, ID_MESSAGE), `${type} ${field}=${id}`);
    assert.throws(() => projectRoot(dataDir, '.hidden'), refusedAs('projectId', 'not a project id'));
    assert.throws(() => projectRoot(dataDir, '..'), refusedAs('projectId', 'not a project id'));
  });

  it('GIVEN an atlas whose data names pages or an atlas id with ".." THEN export refuses it after substitution and writes no bundle', async () => {
    const tamper = (id: string, edit: (layout: any) => void) => {
      fs.cpSync(path.join(root, 'atlases/a'), path.join(root, 'atlases', id), { recursive: true });
      const file = path.join(root, 'atlases', id, 'atlas.greenlight.json');
      const layout = JSON.parse(fs.readFileSync(file, 'utf8'));
      edit(layout);
      fs.writeFileSync(file, JSON.stringify(layout));
    };
    // The page image is read from atlases/t1/../../atlas-0.png (inside the project) but would be zipped as ../atlas-0.png.
    fs.copyFileSync(path.join(root, 'atlases/a/atlas-0.png'), path.join(root, 'atlas-0.png'));
    tamper('t1', (l) => (l.pages[0].image = '../../atlas-0.png'));
    tamper('t2', (l) => (l.atlasId = '../../../evil'));
    try {
      await assert.rejects(
        runJob('export', { exportId: 'x-t1', profileId: 'custom', atlasIds: ['t1'] }, ctx('x-t1')),
        refusedAs('atlasIds.0', /"\.\.\/\.\.\/atlas-0\.png".*outside the bundle/),
      );
      await assert.rejects(
        runJob(
          'export',
          { exportId: 'x-t2', atlasIds: ['t2'], profile: { id: 'g', atlasDir: '{atlasId}', formats: ['godot-tres'] } },
          ctx('x-t2'),
        ),
        refusedAs('atlasIds.0', /outside the bundle/),
      );
      assert.equal(fs.existsSync(path.join(root, 'exports/x-t1')), false);
      assert.equal(fs.existsSync(path.join(root, 'exports/x-t2')), false);
    } finally {
      fs.rmSync(path.join(root, 'atlas-0.png'));
    }
  });

  it('GIVEN profile folders that are absolute, drive-lettered, backslashed or climb THEN the job fails on that profile field', async () => {
    const profile = (over: Record<string, string>) => ({ id: 'p', formats: ['custom'], includeSprites: true, ...over });
    const bad: [Record<string, string>, string][] = [
      [{ atlasDir: '/srv/{atlasId}' }, 'profile.atlasDir'],
      [{ atlasDir: 'C:/Games/{atlasId}' }, 'profile.atlasDir'],
      [{ atlasDir: 'c:{atlasId}' }, 'profile.atlasDir'],
      [{ atlasDir: 'a\\..\\..\\{atlasId}' }, 'profile.atlasDir'],
      [{ atlasDir: '{atlasId}/../..' }, 'profile.atlasDir'],
      [{ spritesDir: '../{assetId}' }, 'profile.spritesDir'],
      [{ spritesDir: 'D:\\x' }, 'profile.spritesDir'],
    ];
    for (const [over, field] of bad)
      await assert.rejects(
        runJob('export', { atlasIds: ['a'], assetIds: ['hero'], profile: profile(over) }, ctx('x-prof')),
        refusedAs(field, 'use a relative folder without ".."'),
        JSON.stringify(over),
      );
  });

  it('GIVEN profileId names no built-in profile (even "constructor" or "__proto__") THEN the job fails on profileId', async () => {
    for (const profileId of ['constructor', '__proto__', 'toString', 'nope'])
      await assert.rejects(
        runJob('export', { atlasIds: ['a'], profileId }, ctx('x-pid')),
        refusedAs('profileId', 'unknown profile'),
        profileId,
      );
  });

  it('GIVEN every built-in profile and a custom one with "." folders THEN every bundle.zip entry is relative, normalised and free of ".."', async () => {
    const runs: Record<string, unknown>[] = [
      ...['unity', 'godot', 'unreal', 'phaser', 'custom'].map((profileId) => ({ profileId })),
      {
        profile: {
          id: 'dots',
          atlasDir: './x/./{atlasId}/',
          spritesDir: 'x//{assetId}',
          formats: ['custom', 'unity'],
          includeSprites: true,
        },
      },
    ];
    for (const [i, extra] of runs.entries()) {
      const out = await runJob('export', { exportId: `list-${i}`, atlasIds: ['a'], assetIds: ['hero'], ...extra }, ctx(`list-${i}`));
      const names = Object.keys(unzipSync(fs.readFileSync(path.join(root, out.bundlePath as string))));
      assertSafeEntries(names);
      assert.ok(names.includes('manifest.json'));
      const manifest = JSON.parse(fs.readFileSync(path.join(root, out.manifestPath as string), 'utf8'));
      assert.deepEqual(
        names.filter((n) => n !== 'manifest.json').sort(),
        manifest.files.map((f: { path: string }) => f.path).sort(),
        'the manifest lists exactly the zipped files',
      );
    }
  });
});
