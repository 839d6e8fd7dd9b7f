// The built-in refiner: a wishlist in many phrasings → one AssetSpec per asset, read against the
// catalog in tests/fixtures/catalog (the seed's layout); what it cannot read comes back as questions.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { catalogFromFiles, catalogSchema, type Catalog } from '../../../engine/specs/catalog.js';
import { generateFromSpec, suggestModels } from '../../../engine/specs/generation.js';
import { refineWishlist, wishlistItems } from '../../../engine/specs/refiner.js';
import { refinerOutputFor, type AssetSpec } from '../../../engine/specs/spec.js';

const dir = path.resolve('tests/fixtures/catalog');
const read = (rel: string) => (fs.existsSync(path.join(dir, rel)) ? JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) : undefined);
const catalog: Catalog = catalogSchema.parse(catalogFromFiles(read));

const wishlist = `
3 knight characters, side view, 64 px, warm palette; 1 health potion prop
- two spooky slime enemies, top-down
* a treasure chest item in wood, isometric
4x sword icon 32x32, icy palette
floor tile x6, 16 px
an explosion effect 96x96 px
1. A dozen coin pickups
Hero portrait, front view, 256 × 256
a pair of cute ghost npcs, three-quarter view, toxic palette
# a comment: not an asset
a glowing thing
some barrels, purple palette
40 knight characters
a knight character icon
tiny 4 px tile
`;

/** What a spec says about the fields a person checks, by subject. */
const facts = (s: AssetSpec) => ({
  type: s.assetType,
  subject: s.subject,
  size: `${s.generationParams.width}x${s.generationParams.height}`,
  camera: s.camera,
  palette: s.palette?.id ?? null,
});

describe('built-in refiner', () => {
  const out = refineWishlist({ text: wishlist }, catalog);

  it('GIVEN a wishlist of 10 readable lines in different phrasings THEN one spec per asset with type, count, size, camera and palette read', () => {
    const bySubject = new Map<string, { n: number; facts: ReturnType<typeof facts> }>();
    for (const s of out.specs) {
      const f = bySubject.get(s.subject);
      if (f) {
        f.n++;
        assert.deepEqual(facts(s), f.facts, `every spec of "${s.subject}" reads the same`);
      } else bySubject.set(s.subject, { n: 1, facts: facts(s) });
    }
    const got = Object.fromEntries([...bySubject].map(([k, v]) => [k, { n: v.n, ...v.facts }]));
    assert.deepEqual(got, {
      knight: { n: 3, type: 'character', subject: 'knight', size: '64x64', camera: 'side view', palette: 'warm' },
      'health potion': { n: 1, type: 'prop', subject: 'health potion', size: '64x64', camera: null, palette: null },
      slime: { n: 2, type: 'character', subject: 'slime', size: '128x128', camera: 'top-down', palette: null },
      'treasure chest': { n: 1, type: 'prop', subject: 'treasure chest', size: '64x64', camera: 'isometric', palette: null },
      sword: { n: 4, type: 'ui_icon', subject: 'sword', size: '32x32', camera: null, palette: 'cold' },
      tile: { n: 6, type: 'tile', subject: 'tile', size: '16x16', camera: null, palette: null },
      explosion: { n: 1, type: 'vfx_frame', subject: 'explosion', size: '96x96', camera: null, palette: null },
      coin: { n: 12, type: 'prop', subject: 'coin', size: '64x64', camera: null, palette: null },
      portrait: { n: 1, type: 'character', subject: 'portrait', size: '256x256', camera: 'front view', palette: null },
      ghost: { n: 2, type: 'character', subject: 'ghost', size: '128x128', camera: 'three-quarter view', palette: 'toxic' },
    });
    assert.equal(out.specs.length, 33);
  });

  it('GIVEN a spec THEN it carries the project defaults, tags, models by the policy and the happy-loop fields', () => {
    const knight = out.specs.find((s) => s.name === 'knight 2')!;
    assert.equal(knight.style, 'hand-painted pixel art');
    assert.equal(knight.scenario, 'dark fantasy dungeon');
    assert.equal(knight.checkpointId, 'sd15-base', 'the project default checkpoint');
    assert.deepEqual(knight.loraPolicy, { selection: 'baseline-first', loraIds: ['chars-baseline', 'chars-project'] });
    assert.deepEqual(knight.tags, ['greenlight', 'character']);
    assert.equal(knight.baselineProfileId, 'baseline-sprites');
    assert.deepEqual(knight.styleConsistency, { mode: 'strict', paletteId: 'warm' });
    assert.deepEqual(knight.qualityContract, { transparentBackground: true, minCoverage: 0.05 });
    assert.deepEqual(knight.fields, { frames: 1 }, "the asset type's field defaults");
    assert.match(knight.prompt.positive, /^knight, character, side view, Warm palette \(#ff8844 #cc4422 #ffd9a0\), hand-painted pixel art/);
    assert.match(knight.prompt.positive, /variation 2 of 3$/);
    assert.equal(knight.prompt.negative, 'blurry, low quality, watermark, text');
    assert.deepEqual(
      { ...knight.generationParams, seed: 0 },
      { width: 64, height: 64, steps: 30, sampler: 'dpmpp_2m', cfg: 6.5, seed: 0, seedRule: 'per-spec', variants: 4 },
    );
    const seeds = out.specs.filter((s) => s.subject === 'knight').map((s) => s.generationParams.seed);
    assert.equal(new Set(seeds).size, 3, 'each knight has a seed of its own');
    const sword = out.specs.find((s) => s.subject === 'sword')!;
    assert.equal(sword.checkpointId, 'sdxl-ui', "the checkpoint that suits the type wins over the project's default");
    assert.deepEqual(sword.loraPolicy.loraIds, ['props-baseline']);
    assert.ok(out.specs.find((s) => s.subject === 'slime')!.tags.includes('spooky'), 'a chip the line names is a tag');
    assert.match(out.specs.find((s) => s.subject === 'explosion')!.prompt.negative, /background scenery$/);
    assert.equal(refinerOutputFor(catalog).safeParse(out).success, true, 'the output meets the contract an external refiner meets');
  });

  it('GIVEN lines it cannot read THEN each comes back as a question naming the field, and none becomes a guessed spec', () => {
    const qs = out.questions.map((q) => `${q.line} ${q.field}: ${q.question}`);
    assert.deepEqual(qs, [
      '12 assetType: Which asset type is this? The catalog has: character, prop, ui_icon, tile, vfx_frame.',
      '13 palette: Which palette is "purple"? Known palettes: warm, cold, toxic.',
      '13 assetType: Which asset type is this? The catalog has: character, prop, ui_icon, tile, vfx_frame.',
      '14 count: How many? 40 is outside 1-20 per line; split it over several lines.',
      '15 assetType: Is this a character or a ui_icon? Put each on its own line.',
      '16 size: What size? 4×4 px is outside 16-2048 px.',
    ]);
    assert.ok(!out.specs.some((s) => s.source.line >= 12), 'no spec from a line with a question');
  });

  it('GIVEN the same text and catalog THEN the same specs (deterministic); style given with the list overrides the default', () => {
    assert.deepEqual(refineWishlist({ text: wishlist }, catalog), out);
    const styled = refineWishlist({ text: '1 health potion prop', style: 'flat vector' }, catalog);
    assert.equal(styled.specs[0]!.style, 'flat vector');
    assert.match(styled.specs[0]!.prompt.positive, /flat vector/);
  });

  it('GIVEN the policy project-first THEN the project LoRA comes first, and generate-from-spec uses that order and the model names', () => {
    const flipped: Catalog = { ...catalog, policies: { loraSelection: 'project-first' } };
    assert.deepEqual(suggestModels(flipped, 'character').loraIds, ['chars-project', 'chars-baseline']);
    const [spec] = refineWishlist({ text: 'a knight character' }, flipped).specs;
    const input = generateFromSpec({ body: spec!, catalog: flipped }, { specId: 's1', count: 2 });
    assert.deepEqual(
      { ...input, seed: 0 },
      {
        specId: 's1',
        count: 2,
        assetType: 'character',
        prompt: spec!.prompt.positive,
        negativePrompt: spec!.prompt.negative,
        width: 128,
        height: 128,
        seed: 0,
        steps: 30,
        sampler: 'dpmpp_2m',
        cfg: 6.5,
        checkpointName: 'ckpt_sd15_demo',
        loraName: 'lora_art_characters',
        loraNames: ['lora_art_characters', 'lora_baseline_characters'],
        modelHashes: { ckpt_sd15_demo: 'a1b2c3d4', lora_art_characters: 'feedbeef' },
      },
    );
    const chosen = generateFromSpec(
      { body: spec!, catalog: flipped },
      { specId: 's1', loraIds: ['chars-baseline'], checkpointId: 'sdxl-ui' },
    );
    assert.equal(chosen.checkpointName, 'ckpt_sdxl_ui');
    assert.deepEqual(chosen.loraNames, ['lora_baseline_characters'], 'loraIds in the job override the suggestion');
  });

  it('GIVEN the other phrasings README lists THEN each is read the same way', () => {
    const one = (text: string) => {
      const r = refineWishlist({ text }, catalog);
      assert.deepEqual(r.questions, [], text);
      return { n: r.specs.length, ...facts(r.specs[0]!) };
    };
    assert.deepEqual(one('three knight characters, palette warm, 64 pixels, 3/4 view'), {
      n: 3,
      type: 'character',
      subject: 'knight',
      size: '64x64',
      camera: 'three-quarter view',
      palette: 'warm',
    });
    assert.deepEqual(one('sword icon x4, back view'), {
      n: 4,
      type: 'ui_icon',
      subject: 'sword',
      size: '48x48',
      camera: 'back view',
      palette: null,
    });
    assert.deepEqual(one('a couple of heroes, sunset palette, 128x96'), {
      n: 2,
      type: 'character',
      subject: 'character',
      size: '128x96',
      camera: null,
      palette: 'warm',
    });
  });

  it('GIVEN bullets, numbering, ";" and comments THEN items keep their line numbers', () => {
    assert.deepEqual(wishlistItems('- a; b\n\n# c\n2) d\n3. e'), [
      { line: 1, text: 'a' },
      { line: 1, text: 'b' },
      { line: 4, text: 'd' },
      { line: 5, text: 'e' },
    ]);
  });
});

describe('catalog schema', () => {
  it('GIVEN a bad catalog THEN every problem is named by path', () => {
    const bad = catalogSchema.safeParse({
      assetTypes: [
        { id: 'prop', name: 'Prop', loraId: 'nope' },
        { id: 'prop', name: 'Again', size: { width: 8, height: 64 } },
      ],
      loras: [{ id: 'l1', name: 'L', scope: 'global', assetTypes: ['prop'] }],
      palettes: [{ id: 'p', name: 'P', colors: ['red'] }],
      policies: { loraSelection: 'random' },
    });
    assert.equal(bad.success, false);
    const paths = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    for (const want of [
      /^assetTypes\.1\.size\.width: /,
      /^loras\.0\.scope: scope is "baseline" or "project"$/,
      /^palettes\.0\.colors\.0: a colour is "#rrggbb"$/,
      /^policies\.loraSelection: loraSelection is one of: baseline-first, project-first$/,
    ])
      assert.ok(
        paths.some((p) => want.test(p)),
        `${want} in ${paths.join(' | ')}`,
      );
    const refs = catalogSchema.safeParse({
      assetTypes: [
        { id: 'prop', name: 'Prop', loraId: 'nope' },
        { id: 'prop', name: 'Again' },
      ],
    });
    assert.deepEqual(
      refs.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      ["assetTypes.1.id: id 'prop' is given twice in assetTypes", "assetTypes.0.loraId: no LoRA 'nope' in this catalog (known: none)"],
    );
  });
});
