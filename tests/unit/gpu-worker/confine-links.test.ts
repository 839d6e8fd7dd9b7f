// Issue #17 item 2: symbolic links must not lead a job out of its project
// folder. Every processor's reads and writes go through real paths: a link
// (file or folder, at any level, dangling or not) that ends outside
// data/projects/<p>/ fails the job with a JobInputError naming the field, and
// nothing outside is read or written. Links that stay inside, and a project
// folder that is itself a link (an operator's choice of disk), are fine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { localContext } from '../../../gpu-worker/context.js';
import { isJobInputError } from '../../../gpu-worker/errors.js';
import { localProjectFiles } from '../../../gpu-worker/files.js';
import { runJob } from '../../../gpu-worker/processors/index.js';
import { redSquarePng } from '../../helpers/sprites.js';

const temps: string[] = [];
after(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
};

const put = async (file: string, data?: Buffer | string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data ?? (await redSquarePng()));
};
const link = (target: string, at: string) => {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at);
};

/** A data dir with project "art", and a folder outside it that holds a "secret" PNG. */
async function setup() {
  const dataDir = tmp('gl-confine-');
  const root = path.join(dataDir, 'projects/art');
  fs.mkdirSync(root, { recursive: true });
  const outside = tmp('gl-outside-');
  await put(path.join(outside, 'secret.png'));
  const ctx = (jobId = 'j1') => localContext({ dataDir, projectId: 'art', jobId, settings: { gpu: false } });
  /** Every file under `outside`, relative, sorted: what a job must not have added to. */
  const outsideFiles = () => (fs.readdirSync(outside, { recursive: true }) as string[]).map(String).sort();
  return { dataDir, root, outside, ctx, outsideFiles };
}

/** The job fails as bad input (no retry), naming the field and saying it is a link that leaves the project. */
const refused = (field: string) => (err: Error & { field?: string }) => {
  assert.ok(isJobInputError(err), `expected a JobInputError, got ${err.name}: ${err.message}`);
  assert.equal(err.field, field, err.message);
  assert.match(err.message, /symbolic link/);
  assert.match(err.message, /outside the project folder/);
  return true;
};

describe('confinement through symbolic links', () => {
  it('GIVEN files/images/<asset> is a link to a folder outside THEN bg_remove by assetId reads nothing there and writes no cut-out there', async () => {
    const { root, outside, ctx, outsideFiles } = await setup();
    await put(path.join(outside, 'hero/original/v1.png'));
    link(path.join(outside, 'hero'), path.join(root, 'files/images/hero'));
    const before = outsideFiles();
    await assert.rejects(runJob('bg_remove', { assetId: 'hero' }, ctx()), refused('assetId'));
    assert.deepEqual(outsideFiles(), before, 'no cut-out written outside the project');
    assert.equal(fs.existsSync(path.join(outside, 'hero/alpha')), false);
  });

  it('GIVEN a PNG path that is a link to a file outside THEN bg_remove refuses it for originalPath, originalPaths.N and assetId+variantId', async () => {
    const { root, outside, ctx } = await setup();
    link(path.join(outside, 'secret.png'), path.join(root, 'files/in/link.png'));
    await put(path.join(root, 'files/in/ok.png'));
    await assert.rejects(runJob('bg_remove', { originalPath: 'files/in/link.png' }, ctx()), refused('originalPath'));
    await assert.rejects(
      runJob('bg_remove', { originalPaths: ['files/in/ok.png', 'files/in/link.png'] }, ctx()),
      refused('originalPaths.1'),
    );
    link(path.join(outside, 'secret.png'), path.join(root, 'files/images/a/original/v1.png'));
    await assert.rejects(runJob('bg_remove', { assetId: 'a', variantId: 'v1' }, ctx()), refused('variantId'));
  });

  it('GIVEN a folder of originals holding a link to a file outside THEN bg_remove refuses the folder instead of skipping or reading it', async () => {
    const { root, outside, ctx } = await setup();
    await put(path.join(root, 'files/images/mix/original/a.png'));
    link(path.join(outside, 'secret.png'), path.join(root, 'files/images/mix/original/b.png'));
    await assert.rejects(runJob('bg_remove', { assetId: 'mix' }, ctx()), refused('assetId'));
    await assert.rejects(runJob('bg_remove', { originalPath: 'files/images/mix/original' }, ctx()), refused('originalPath'));
  });

  it('GIVEN the alpha folder is a link to a folder outside THEN bg_remove writes nothing there', async () => {
    const { root, outside, ctx, outsideFiles } = await setup();
    await put(path.join(root, 'files/images/w/original/v1.png'));
    fs.mkdirSync(path.join(outside, 'alpha'));
    link(path.join(outside, 'alpha'), path.join(root, 'files/images/w/alpha'));
    const before = outsideFiles();
    await assert.rejects(runJob('bg_remove', { assetId: 'w' }, ctx()), refused('assetId'));
    assert.deepEqual(outsideFiles(), before);
  });

  it('GIVEN the output file itself is a link to a file outside THEN bg_remove refuses to write through it and the target is unchanged', async () => {
    const { root, outside, ctx } = await setup();
    await put(path.join(root, 'files/images/f/original/v1.png'));
    await put(path.join(outside, 'target.png'), 'not a png');
    link(path.join(outside, 'target.png'), path.join(root, 'files/images/f/alpha/v1.png'));
    await assert.rejects(runJob('bg_remove', { assetId: 'f' }, ctx()), (err: Error & { field?: string }) => {
      assert.ok(isJobInputError(err), err.message);
      assert.equal(err.field, 'assetId');
      assert.match(err.message, /files\/images\/f\/alpha\/v1\.png" is a symbolic link/);
      return true;
    });
    assert.equal(fs.readFileSync(path.join(outside, 'target.png'), 'utf8'), 'not a png');
    assert.ok(fs.lstatSync(path.join(root, 'files/images/f/alpha/v1.png')).isSymbolicLink(), 'the link is left as it was');
  });

  it('GIVEN a dangling link to a place outside on an output path THEN the write is refused and nothing is created there', async () => {
    const { root, outside, ctx } = await setup();
    await put(path.join(root, 'files/images/d/original/v1.png'));
    link(path.join(outside, 'made-by-job'), path.join(root, 'files/images/d/alpha'));
    await assert.rejects(runJob('bg_remove', { assetId: 'd' }, ctx()), refused('assetId'));
    assert.equal(fs.existsSync(path.join(outside, 'made-by-job')), false);
  });

  it('GIVEN frames or cut-out folders behind links to outside THEN pack_atlas refuses each frames.N / assetIds.N', async () => {
    const { root, outside, ctx } = await setup();
    link(path.join(outside, 'secret.png'), path.join(root, 'files/frames/link.png'));
    link(outside, path.join(root, 'files/frames/dir'));
    link(outside, path.join(root, 'files/images/b/alpha'));
    await assert.rejects(runJob('pack_atlas', { atlasId: 'x', frames: ['files/frames/link.png'] }, ctx()), refused('frames.0'));
    await assert.rejects(
      runJob('pack_atlas', { atlasId: 'x', frames: [{ path: 'files/frames/link.png', name: 'n' }] }, ctx()),
      refused('frames.0'),
    );
    await assert.rejects(runJob('pack_atlas', { atlasId: 'x', frames: ['files/frames/dir'] }, ctx()), refused('frames.0'));
    await assert.rejects(runJob('pack_atlas', { atlasId: 'x', assetIds: ['b'] }, ctx()), refused('assetIds.0'));
  });

  it('GIVEN atlases/ (or atlases/<id>) is a link to outside THEN pack_atlas writes no page or data there', async () => {
    const { root, outside, ctx, outsideFiles } = await setup();
    await put(path.join(root, 'files/frames/a.png'));
    link(outside, path.join(root, 'atlases'));
    const before = outsideFiles();
    await assert.rejects(runJob('pack_atlas', { atlasId: 'x', frames: ['files/frames/a.png'] }, ctx()), refused('atlasId'));
    fs.unlinkSync(path.join(root, 'atlases'));
    link(outside, path.join(root, 'atlases/y'));
    await assert.rejects(runJob('pack_atlas', { atlasId: 'y', frames: ['files/frames/a.png'] }, ctx()), refused('atlasId'));
    assert.deepEqual(outsideFiles(), before);
  });

  it('GIVEN files/images is a link to outside THEN generate writes no variant there; a workflowPath link to outside is refused', async () => {
    const { root, outside, ctx, outsideFiles } = await setup();
    link(outside, path.join(root, 'files/images'));
    const before = outsideFiles();
    await assert.rejects(runJob('generate', { assetId: 'g', count: 1, width: 32, height: 32 }, ctx()), refused('assetId'));
    assert.deepEqual(outsideFiles(), before);
    await put(path.join(outside, 'wf.json'), '{"3":{"inputs":{"seed":"${seed}"}}}');
    link(path.join(outside, 'wf.json'), path.join(root, 'workflows/wf.json'));
    await assert.rejects(
      runJob('generate', { assetId: 'g', count: 1, width: 32, height: 32, workflowPath: 'workflows/wf.json' }, ctx()),
      refused('workflowPath'),
    );
  });

  it('GIVEN files/evals is a link to outside THEN eval_grid writes no cell or sheet there; a workflowPath link to outside is refused', async () => {
    const { root, outside, ctx, outsideFiles } = await setup();
    link(outside, path.join(root, 'files/evals'));
    const before = outsideFiles();
    await assert.rejects(runJob('eval_grid', { prompts: ['a'], size: 32, releaseId: 'r1' }, ctx()), refused('releaseId'));
    await assert.rejects(runJob('eval_grid', { prompts: ['a'], size: 32 }, ctx()), refused('releaseId'));
    assert.deepEqual(outsideFiles(), before);
    await put(path.join(outside, 'wf.json'), '{}');
    link(path.join(outside, 'wf.json'), path.join(root, 'workflows/wf.json'));
    await assert.rejects(
      runJob('eval_grid', { prompts: ['a'], size: 32, workflowPath: 'workflows/wf.json' }, ctx()),
      refused('workflowPath'),
    );
  });

  it('GIVEN an atlas folder, a cut-out folder, a generator .json or exports/ behind links to outside THEN export refuses each', async () => {
    const { root, outside, ctx, outsideFiles } = await setup();
    // A real atlas of a real cut-out, made inside the project.
    await put(path.join(root, 'files/images/a/original/v1.png'));
    await runJob('bg_remove', { assetId: 'a' }, ctx('cut'));
    await runJob('pack_atlas', { atlasId: 'in', assetIds: ['a'] }, ctx('pack'));
    // The same atlas copied outside and linked in as atlases/out.
    fs.cpSync(path.join(root, 'atlases/in'), path.join(outside, 'atlas'), { recursive: true });
    link(path.join(outside, 'atlas'), path.join(root, 'atlases/out'));
    const before = outsideFiles();
    await assert.rejects(runJob('export', { exportId: 'e1', atlasIds: ['in', 'out'] }, ctx()), refused('atlasIds.1'));
    assert.deepEqual(outsideFiles(), before);
    // Cut-outs behind a link.
    fs.cpSync(path.join(root, 'files/images/a/alpha'), path.join(outside, 'alpha'), { recursive: true });
    link(path.join(outside, 'alpha'), path.join(root, 'files/images/b/alpha'));
    await assert.rejects(runJob('export', { exportId: 'e2', profileId: 'custom', assetIds: ['b'] }, ctx()), refused('assetIds.0'));
    // The generator metadata beside an original, linked to a file outside.
    await put(path.join(outside, 'meta.json'), '{"secret":true}');
    link(path.join(outside, 'meta.json'), path.join(root, 'files/images/a/original/v1.json'));
    await assert.rejects(runJob('export', { exportId: 'e3', atlasIds: ['in'] }, ctx()), refused('atlasIds.0'));
    fs.unlinkSync(path.join(root, 'files/images/a/original/v1.json'));
    // The bundle folder.
    link(outside, path.join(root, 'exports'));
    const before2 = outsideFiles();
    await assert.rejects(runJob('export', { exportId: 'e4', atlasIds: ['in'] }, ctx()), refused('exportId'));
    assert.deepEqual(outsideFiles(), before2);
  });

  it('GIVEN links to outside THEN the file store itself refuses read, exists, isDir, list and write through them', async () => {
    const { dataDir, root, outside } = await setup();
    link(outside, path.join(root, 'out'));
    link(path.join(outside, 'secret.png'), path.join(root, 'secret.png'));
    const files = localProjectFiles(dataDir, 'art');
    const r = refused('f');
    await assert.rejects(files.read('secret.png', 'f'), r);
    await assert.rejects(files.read('out/secret.png', 'f'), r);
    await assert.rejects(files.exists('out/secret.png', 'f'), r);
    await assert.rejects(files.isDir('out', 'f'), r);
    await assert.rejects(files.list('out', 'f'), r);
    await assert.rejects(files.write('out/new.txt', 'x', 'f'), r);
    await assert.rejects(files.write('out/deeper/new.txt', 'x', 'f'), r);
    assert.equal(fs.existsSync(path.join(outside, 'new.txt')), false);
    assert.equal(fs.existsSync(path.join(outside, 'deeper')), false);
    // A dangling link is refused when it points outside (even a missing file there is none of the job's business),
    // and simply missing when it points inside.
    link(path.join(outside, 'nothing.png'), path.join(root, 'dangling.png'));
    await assert.rejects(files.exists('dangling.png', 'f'), r);
    await assert.rejects(files.exists('out/nothing.png', 'f'), r);
    fs.symlinkSync('not-yet.png', path.join(root, 'later.png'));
    assert.equal(await files.exists('later.png', 'f'), false);
    await assert.rejects(files.read('later.png', 'f'), /"later.png" does not exist in project art/);
  });

  it('GIVEN the project folder itself is a link (another disk) and links that stay inside it THEN jobs read and write as usual', async () => {
    const dataDir = tmp('gl-confine-');
    const elsewhere = tmp('gl-disk-');
    link(elsewhere, path.join(dataDir, 'projects/art'));
    const ctx = (jobId: string) => localContext({ dataDir, projectId: 'art', jobId, settings: { gpu: false } });
    await put(path.join(elsewhere, 'files/images/hero/original/v1.png'));
    // An alias inside the project: files/images/alias → files/images/hero (relative link).
    fs.symlinkSync('hero', path.join(elsewhere, 'files/images/alias'));
    const cut = await runJob('bg_remove', { originalPath: 'files/images/alias/original/v1.png' }, ctx('c1'));
    assert.deepEqual(cut.alphaPaths, ['files/images/alias/alpha/v1.png']);
    assert.ok(fs.existsSync(path.join(elsewhere, 'files/images/hero/alpha/v1.png')), 'written through the inside link');
    const atlas = await runJob('pack_atlas', { atlasId: 'a1', assetIds: ['hero'] }, ctx('p1'));
    assert.equal(atlas.frames, 1);
    const exp = await runJob('export', { exportId: 'x1', profileId: 'custom', atlasIds: ['a1'], assetIds: ['alias'] }, ctx('x1'));
    assert.ok(fs.existsSync(path.join(elsewhere, exp.bundlePath as string)));
    const gen = await runJob('generate', { assetId: 'g', count: 1, width: 32, height: 32 }, ctx('g1'));
    assert.ok(fs.existsSync(path.join(elsewhere, gen.contactSheet as string)));
    const grid = await runJob('eval_grid', { prompts: ['a'], size: 32, releaseId: 'r1' }, ctx('e1'));
    assert.ok(fs.existsSync(path.join(elsewhere, grid.sheetPath as string)));
  });
});
