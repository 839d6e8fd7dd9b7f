// The CLI's rule and run commands as a lead runs them (real processes, a temp data dir): import answers
// a typo with the closest valid name, once; list, show, dry-run, enable, disable, log and run list go
// through the engine's door; `job run` refuses an unknown input field the same way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cliPrincipal, loadConfig, openEngine } from '../../engine/index.js';

const bin = path.resolve('bin/greenlight.mjs');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-cli-rules-'));
const env = { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), GREENLIGHT_DATA_DIR: dataDir };
const cli = (...args: string[]) => {
  const res = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 30_000 });
  return { code: res.status, out: res.stdout, err: res.stderr };
};
const file = (name: string, body: unknown) => {
  const f = path.join(dataDir, name);
  fs.writeFileSync(f, JSON.stringify(body));
  return f;
};
const cutout = (input: Record<string, unknown>, trigger = 'variant.approved') => ({
  name: 'Cut out',
  trigger: { event: trigger },
  actions: [{ id: 'cut', type: 'enqueue_job', config: { type: 'bg_remove', input } }],
});

describe('greenlight rule / run commands', () => {
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('GIVEN rules with typos WHEN imported THEN each answer names the closest valid name, said once, and nothing is stored', () => {
    assert.equal(cli('project', 'create', 'art', '--name', 'Art').code, 0);
    const field = cli('rule', 'import', file('f.json', cutout({ variantId: '${event.subject.id}', treshold: 0.1 })), '--project', 'art');
    assert.equal(field.code, 2, field.err);
    assert.match(field.err, /actions\.0\.config\.input\.treshold: bg_remove has no input field "treshold": did you mean "threshold"\?/);
    assert.equal(field.err.split('did you mean "threshold"').length - 1, 1, `said once:\n${field.err}`);
    const ph = cli('rule', 'import', file('p.json', cutout({ variantId: '${event.subjct.id}' })), '--project', 'art');
    assert.equal(ph.code, 2);
    assert.match(ph.err, /\$\{event\.subjct\.id\}: the event has no "subjct": did you mean "subject"\?/);
    assert.match(cli('rule', 'list', '--project', 'art').out, /No rules in art/);
    // A trigger nobody sends: stored (a custom type may be meant), with the closest built-in type said.
    const trig = cli(
      'rule',
      'import',
      file('t.json', cutout({ variantId: '${event.subject.id}' }, 'varient.approved')),
      '--project',
      'art',
    );
    assert.equal(trig.code, 0, trig.err);
    assert.match(
      trig.err,
      /warning \(Cut out\): No event of type "varient\.approved" is built in or has been seen in this project: did you mean "variant\.approved"\?/,
    );
  });

  it('GIVEN a rule THEN list, dry-run, enable (after the dry-run), log, run list and disable work from the CLI', () => {
    const imported = cli('rule', 'import', file('ok.json', cutout({ variantId: '${event.subject.id}' })), '--project', 'art');
    assert.equal(imported.code, 0, imported.err);
    const id = JSON.parse(imported.out)[0].id as string;
    assert.match(
      cli('rule', 'list', '--project', 'art').out,
      new RegExp(`${id}  disabled  v1  variant\\.approved  “Cut out”  last run never; 7 days: 0 runs, 0 failed`),
    );
    const refused = cli('rule', 'enable', id, '--project', 'art');
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /has never been dry-run/);
    const dry = cli('rule', 'dry-run', id, '--project', 'art', '--payload', '{"variantId":"v1","assetId":"a1"}');
    assert.equal(dry.code, 0, dry.err);
    assert.match(
      dry.out,
      /^1 firing\(s\), 1 job\(s\), 0 approval gate\(s\), cost 0\.2; plan [0-9a-f]{32}\n {2}Cut out \/ cut: bg_remove\n/,
    );
    assert.match(cli('rule', 'enable', id, '--project', 'art').out, /Cut out \(.+\) version 1 is enabled\./);
    assert.equal(cli('rule', 'log', id, '--project', 'art').out, 'No runs match.\n');
    const badStatus = cli('run', 'list', '--project', 'art', '--status', 'succeded');
    assert.notEqual(badStatus.code, 0);
    assert.match(badStatus.err, /--status: 'succeded' is not a run status; use one of planned, awaiting_approval, running, succeeded/);
    assert.match(cli('rule', 'log', 'rule_nope', '--project', 'art').err, /rule 'rule_nope' does not exist|rule_nope/);
    assert.match(cli('rule', 'disable', id, '--project', 'art').out, /is disabled\./);
    assert.equal(JSON.parse(cli('rule', 'show', id, '--project', 'art').out).enabled, false);
  });

  it('GIVEN a custom event rule whose placeholder the dry-run event did not carry THEN the dry-run warns and says what to give', () => {
    const rule = { ...cutout({ originalPath: '${event.payload.file}' }, 'art.uploaded'), name: 'upload cutout' };
    const imported = cli('rule', 'import', file('custom.json', rule), '--project', 'art');
    assert.equal(imported.code, 0, imported.err);
    const dry = cli('rule', 'dry-run', 'upload cutout', '--project', 'art', '--payload', '{"path":"files/a.png"}');
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /Warning: \$\{event\.payload\.file\} unresolved on this event, so its steps would fail/);
    assert.doesNotMatch(dry.out, /Enable it:/);
    const good = cli('rule', 'dry-run', 'upload cutout', '--project', 'art', '--payload', '{"file":"files/a.png"}');
    assert.match(good.out, /Enable it: greenlight rule enable rule_\w+ --project art/);
    assert.match(cli('rule', 'enable', 'upload cutout', '--project', 'art').out, /upload cutout \(.+\) version 1 is enabled\./);
  });

  it('GIVEN job run with an unknown input field THEN exit 2 with the closest field, and nothing runs', () => {
    const r = cli('job', 'run', 'bg_remove', '--project', 'art', '--input', '{"assetId":"hero","treshold":0.1}');
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      'greenlight job run bg_remove: input.treshold: bg_remove has no input field "treshold": did you mean "threshold"?\n',
    );
  });

  it('GIVEN projects and tokens THEN project list / show and token list / revoke work; something missing names the database looked in', () => {
    assert.match(cli('project', 'list').out, /^art {2}“Art” {2}since \d{4}-/m);
    assert.equal(JSON.parse(cli('project', 'show', 'art').out).id, 'art');
    const made = JSON.parse(cli('token', 'create', 'art', '--role', 'lead', '--label', 'laptop').out) as { id: string };
    assert.match(cli('token', 'list', 'art').out, new RegExp(`${made.id} {2}lead {4}active {2}made .*“laptop”`));
    assert.equal(cli('token', 'revoke', 'art', made.id).out, `${made.id} (lead) is revoked.\n`);
    assert.match(cli('token', 'list', 'art').out, new RegExp(`${made.id} {2}lead {4}revoked `));
    const missing = cli('project', 'show', 'nope');
    assert.notEqual(missing.code, 0);
    assert.equal(
      missing.err,
      `greenlight: project 'nope' does not exist\n  (looked in ${dataDir}/greenlight.db; set GREENLIGHT_DATA_DIR to use another data folder)\n`,
    );
    assert.match(cli('project', 'create', '--help').out, /--name <name> +display name \(required\)/);
    const typo = cli('project', 'set', 'art', '--default-export-profile', 'godto');
    assert.equal(typo.code, 2, typo.err);
    assert.match(typo.err, /policies\.defaultExportProfile: use one of the built-in export profiles: unity, godot, unreal, phaser, custom/);
    const set = cli('project', 'set', 'art', '--default-export-profile', 'godot');
    assert.equal(set.code, 0, set.err);
    assert.equal(JSON.parse(set.out).policies.defaultExportProfile, 'godot');
  });

  it('GIVEN job run generate THEN its asset (with the type given) and variants are recorded with their files, ready to review (item 1)', async () => {
    const r = cli(
      'job',
      'run',
      'generate',
      '--project',
      'art',
      '--input',
      '{"assetId":"hero","assetType":"character","prompt":"slime","count":2,"width":32,"height":32}',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, new RegExp(`recorded in project art \\(${dataDir}/greenlight\\.db\\)`));
    const { engine, close } = await openEngine(loadConfig({ GREENLIGHT_DATA_DIR: dataDir }, process.cwd()));
    try {
      const { asset, variants } = engine.entities.getAsset(cliPrincipal, 'art', 'hero');
      assert.deepEqual([asset.type, asset.name], ['character', 'slime']);
      assert.equal(variants.length, 2);
      for (const v of variants) assert.ok(fs.existsSync(path.join(dataDir, 'projects/art', v.files.original!)));
    } finally {
      await close();
    }
    const lost = cli('job', 'run', 'generate', '--project', 'nowhere', '--input', '{"assetId":"x","count":1,"width":16,"height":16}');
    assert.equal(lost.code, 0, 'the files are written');
    assert.match(
      lost.err,
      /the files are written, but not recorded for review: project 'nowhere' does not exist .*greenlight project create nowhere --name <name>/,
    );
  });
});
