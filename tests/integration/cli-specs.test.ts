// `greenlight project catalog …` and `greenlight spec …` as a user runs them: real processes, a temp data dir.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const bin = path.resolve('bin/greenlight.mjs');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-cli-specs-'));
const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), GREENLIGHT_DATA_DIR: dataDir };
const cli = (...args: string[]) => {
  const res = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
};

describe('greenlight CLI: catalogs and specs', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('GIVEN the seed-layout folder THEN import → v1, export --out → a folder that imports back to the same catalog', () => {
    assert.equal(cli('project', 'create', 'art', '--name', 'Art').code, 0);
    const imported = cli('project', 'catalog', 'import', 'art', 'tests/fixtures/catalog');
    assert.equal(imported.code, 0, imported.err);
    assert.match(
      imported.out,
      /^Catalog v1 of art: 5 asset type\(s\), 2 tag group\(s\), 3 palette\(s\), 2 checkpoint\(s\), 3 LoRA\(s\); LoRAs baseline-first\./,
    );
    const before = cli('project', 'catalog', 'export', 'art', '--json').out;
    const out = path.join(dataDir, 'exported');
    const exported = cli('project', 'catalog', 'export', 'art', '--out', out);
    assert.equal(exported.code, 0, exported.err);
    assert.deepEqual(fs.readdirSync(path.join(out, 'catalogs')).sort(), [
      'asset-types.json',
      'checkpoints.json',
      'loras.json',
      'palettes.json',
      'tag-groups.json',
    ]);
    assert.match(cli('project', 'catalog', 'import', 'art', out).out, /^Catalog v2 of art/);
    assert.deepEqual(JSON.parse(cli('project', 'catalog', 'export', 'art', '--json').out), JSON.parse(before));
  });

  it('GIVEN a bad catalog file or a folder without one THEN a clear error names the path and the version stays', () => {
    const bad = path.join(dataDir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ loras: [{ id: 'l', name: 'L', scope: 'everywhere' }] }));
    const res = cli('project', 'catalog', 'import', 'art', bad);
    assert.notEqual(res.code, 0);
    assert.match(res.err, /loras\.0\.scope: scope is "baseline" or "project"/);
    const empty = fs.mkdtempSync(path.join(dataDir, 'empty-'));
    assert.match(cli('project', 'catalog', 'import', 'art', empty).err, /holds neither project\.json nor catalogs\//);
    assert.equal(JSON.parse(cli('project', 'catalog', 'export', 'art', '--json').out).assetTypes.length, 5, 'unchanged');
  });

  it('GIVEN a wishlist file THEN spec add prints each spec and each question; spec list and generate follow', () => {
    const file = path.join(dataDir, 'wishlist.txt');
    fs.writeFileSync(file, '2 knight characters, side view, warm palette\na health potion prop\na glowing thing\n');
    const added = cli('spec', 'add', '--project', 'art', '--file', file);
    assert.equal(added.code, 0, added.err);
    const lines = added.out.trim().split('\n');
    assert.match(lines[0]!, /^Spec list sl_\w+: 3 spec\(s\), 1 question\(s\)\.$/);
    assert.match(lines[1]!, /^ {2}knight-1-\w+ {2}character {2}128×128 {2}“knight, character, side view, Warm palette/);
    assert.match(lines[3]!, /^ {2}health-potion-\w+ {2}prop {2}64×64/);
    assert.equal(
      lines[4],
      '  ? line 3 “a glowing thing”: Which asset type is this? The catalog has: character, prop, ui_icon, tile, vfx_frame.',
    );
    const list = cli('spec', 'list', '--project', 'art');
    assert.equal(list.out.trim().split('\n').length, 3);
    const potion = /^(health-potion-\w+)/m.exec(list.out)![1]!;
    const show = JSON.parse(cli('spec', 'show', potion, '--project', 'art').out);
    assert.equal(show.body.loraPolicy.loraIds[0], 'props-baseline');
    const gen = cli('spec', 'generate', potion, '--project', 'art', '--count', '2');
    assert.equal(gen.code, 0, gen.err);
    assert.match(
      gen.out,
      /^spec\.generate_requested evt_\w+: 2 variant\(s\) of health-potion-\w+ asked for\.\nNo enabled rule acts on spec\.generate_requested yet/,
    );
    assert.equal(fs.existsSync(path.join(dataDir, 'projects/art/specs', `${potion}.json`)), true);
  });
});
