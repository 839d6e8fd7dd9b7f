// Reads an atlas folder (pack_atlas output or an export bundle) the way Godot, Unity and Paper2D would,
// through the strict readers only, and rebuilds every sprite from its page PNG: one line per problem,
// each naming the sprite. `read` gives a file's text by path relative to the folder, so a test can hand
// in an edited file; nothing here looks at the writers' own layout JSON.
import fs from 'node:fs';
import path from 'node:path';
import { checkRegions, readPng, type EngineRegion, type Image } from './atlas-regions.js';
import { godotRegion, readAtlasTexture, readSpriteFrames } from './godot-atlas.js';
import { readPaper2d } from './paper2d.js';
import { readUnityMeta, unityRegion } from './unity-meta.js';

export interface SourceSprite {
  image: Image;
  /** The pivot it was packed with, relative to the untrimmed source, y down. */
  pivot: { x: number; y: number };
}

export interface AtlasFolder {
  /** Absolute folder. */
  dir: string;
  /** A file's text, relative to dir (defaults to the file on disk). */
  read: (rel: string) => string;
  pages: Map<string, Image>;
}

export async function atlasFolder(dir: string, edits: Record<string, string> = {}): Promise<AtlasFolder> {
  const pages = new Map<string, Image>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.png'))) pages.set(f, await readPng(fs.readFileSync(path.join(dir, f))));
  return { dir, read: (rel) => edits[rel] ?? fs.readFileSync(path.join(dir, rel), 'utf8'), pages };
}

/**
 * Godot: every frames/*.tres AtlasTexture and every frame of the SpriteFrames animation `anim.name`
 * (which lists the sprites `anim.frames`, in order). `res` is the res:// folder the page paths must be under.
 */
export function checkGodot(
  a: AtlasFolder,
  res: string,
  sources: Map<string, SourceSprite>,
  anim: { name: string; frames: string[] },
): string[] {
  const pageOf = (image: string) => (image.startsWith(res) ? a.pages.get(image.slice(res.length)) : undefined);
  const images = new Map([...sources].map(([k, v]) => [k, v.image]));
  const problems: string[] = [];
  const regions: EngineRegion[] = [];
  for (const file of fs.readdirSync(path.join(a.dir, 'frames')).sort()) {
    const t = readAtlasTexture(a.read(`frames/${file}`), `frames/${file}`);
    const name = t.name ?? path.basename(file, '.tres');
    if (!t.filterClip) problems.push(`${name}: filter_clip is off, neighbours bleed in when filtered`);
    regions.push(godotRegion(name, t));
  }
  problems.push(...checkRegions(regions, pageOf, images));
  const sfFile = fs.readdirSync(a.dir).find((f) => f.endsWith('.sprite_frames.tres'));
  if (!sfFile) return [...problems, 'no SpriteFrames resource'];
  const all = readSpriteFrames(a.read(sfFile), sfFile).find((x) => x.name === anim.name);
  if (!all || all.frames.length !== anim.frames.length)
    return [...problems, `${sfFile}: animation "${anim.name}" does not list ${anim.frames.length} frames`];
  const sub = all.frames.map((f, i) => godotRegion(anim.frames[i]!, f.texture));
  problems.push(...checkRegions(sub, pageOf, images).map((p) => `${sfFile} ${p}`));
  return problems;
}

/** Unity: every sprite of every page's .meta, placed by its pivot. */
export function checkUnity(a: AtlasFolder, sources: Map<string, SourceSprite>): string[] {
  const regions: EngineRegion[] = [];
  for (const [image, page] of a.pages) {
    const meta = readUnityMeta(a.read(`${image}.meta`), `${image}.meta`, page);
    for (const s of meta.sprites) {
      const src = sources.get(s.name);
      const size = src ? { w: src.image.width, h: src.image.height } : { w: s.rect.width, h: s.rect.height };
      regions.push(unityRegion(s, image, page.height, size, src?.pivot ?? { x: 0, y: 0 }));
    }
  }
  return checkRegions(regions, (image) => a.pages.get(image), new Map([...sources].map(([k, v]) => [k, v.image])));
}

/** Paper2D: every frame of every *.paper2d.json; meta.size must be the page's and pivots the ones asked for. */
export function checkPaper2d(a: AtlasFolder, sources: Map<string, SourceSprite>): { problems: string[]; regions: EngineRegion[] } {
  const problems: string[] = [];
  const regions: EngineRegion[] = [];
  for (const file of fs.readdirSync(a.dir).filter((f) => f.endsWith('.paper2d.json'))) {
    const sheet = readPaper2d(a.read(file), file);
    const page = a.pages.get(sheet.image);
    if (page && (sheet.size.w !== page.width || sheet.size.h !== page.height))
      problems.push(`${file}: meta.size ${sheet.size.w}×${sheet.size.h}, the page is ${page.width}×${page.height}`);
    for (const f of sheet.frames) {
      const want = sources.get(f.name)?.pivot;
      if (want && (Math.abs(want.x - f.pivot.x) > 1e-9 || Math.abs(want.y - f.pivot.y) > 1e-9))
        problems.push(`${f.name}: pivot ${JSON.stringify(f.pivot)}, want ${JSON.stringify(want)}`);
    }
    regions.push(...sheet.frames);
  }
  problems.push(...checkRegions(regions, (image) => a.pages.get(image), new Map([...sources].map(([k, v]) => [k, v.image]))));
  return { problems, regions };
}
