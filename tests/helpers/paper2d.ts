// A strict reader of the TexturePacker JSON (hash) that Unreal's Paper2D sprite-sheet importer reads,
// written from that importer's documented behaviour, not from our writer: meta.app must name
// TexturePacker (or the file is not taken as a sprite sheet), meta.image names the page; per frame,
// `frame` is the sprite's rectangle with its upright size (when `rotated`, it is stored turned 90°
// clockwise and covers h × w in the page), `spriteSourceSize`/`sourceSize` are read only when
// `trimmed`, `pivot` (optional, default centre) is relative to the untrimmed source, y down. Frame names
// are FNames, which compare case-insensitively. Unknown or missing keys are refused with the frame named.
import type { EngineRegion } from './atlas-regions.js';

export interface Paper2dFrame extends EngineRegion {
  pivot: { x: number; y: number };
}

export interface Paper2dSheet {
  image: string;
  size: { w: number; h: number };
  frames: Paper2dFrame[];
}

type Obj = Record<string, unknown>;

/** TexturePacker's own meta keys; `target` and `generator` are Greenlight's tags, which Paper2D ignores. */
const META_KEYS = ['app', 'version', 'image', 'format', 'size', 'scale', 'smartupdate', 'target', 'generator'];
const FRAME_KEYS = ['frame', 'rotated', 'trimmed', 'spriteSourceSize', 'sourceSize', 'pivot'];

function fail(where: string, msg: string): never {
  throw new Error(`${where}: ${msg}`);
}

function obj(where: string, v: unknown, keys: string[], optional: string[] = []): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(where, `not an object: ${JSON.stringify(v)}`);
  for (const k of Object.keys(v)) if (!keys.includes(k) && !optional.includes(k)) fail(where, `unknown key "${k}"`);
  for (const k of keys) if (!(k in v)) fail(where, `missing key "${k}"`);
  return v as Obj;
}

function int(where: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(where, `${JSON.stringify(v)} is not an integer ≥ ${min}`);
  return v;
}

function box(where: string, v: unknown, keys: ('x' | 'y' | 'w' | 'h')[]): Record<string, number> {
  const o = obj(where, v, keys);
  return Object.fromEntries(keys.map((k) => [k, int(`${where}.${k}`, o[k], k === 'w' || k === 'h' ? 1 : 0)]));
}

function frame(where: string, name: string, v: unknown, image: string): Paper2dFrame {
  const f = obj(where, v, ['frame', 'rotated', 'trimmed'], FRAME_KEYS);
  if (typeof f.rotated !== 'boolean' || typeof f.trimmed !== 'boolean') fail(where, 'rotated and trimmed must be booleans');
  const r = box(`${where}.frame`, f.frame, ['x', 'y', 'w', 'h']);
  let offset = { x: 0, y: 0 };
  let sourceSize = { w: r.w!, h: r.h! };
  if (f.trimmed) {
    if (f.spriteSourceSize === undefined || f.sourceSize === undefined) fail(where, 'trimmed without spriteSourceSize and sourceSize');
    const sss = box(`${where}.spriteSourceSize`, f.spriteSourceSize, ['x', 'y', 'w', 'h']);
    const ss = box(`${where}.sourceSize`, f.sourceSize, ['w', 'h']);
    if (sss.w !== r.w || sss.h !== r.h) fail(where, `spriteSourceSize ${sss.w}×${sss.h} differs from the frame's ${r.w}×${r.h}`);
    offset = { x: sss.x!, y: sss.y! };
    sourceSize = { w: ss.w!, h: ss.h! };
  }
  let pivot = { x: 0.5, y: 0.5 };
  if (f.pivot !== undefined) {
    const p = obj(`${where}.pivot`, f.pivot, ['x', 'y']);
    if (typeof p.x !== 'number' || typeof p.y !== 'number' || !Number.isFinite(p.x) || !Number.isFinite(p.y))
      fail(where, `pivot ${JSON.stringify(p)} is not two numbers`);
    pivot = { x: p.x, y: p.y };
  }
  return { name, image, x: r.x!, y: r.y!, w: r.w!, h: r.h!, rotated: f.rotated, offset, sourceSize, pivot };
}

/** One Paper2D sprite-sheet file, checked against the size of the page it names. */
export function readPaper2d(text: string, where: string): Paper2dSheet {
  const doc = obj(where, JSON.parse(text), ['frames', 'meta']);
  const meta = obj(`${where} meta`, doc.meta, ['app', 'image'], META_KEYS);
  if (typeof meta.app !== 'string' || !meta.app.startsWith('http://www.codeandweb.com/texturepacker'))
    fail(where, `meta.app ${JSON.stringify(meta.app)} does not name TexturePacker; Paper2D would not read it as a sprite sheet`);
  if (typeof meta.image !== 'string' || meta.image === '') fail(where, 'meta.image names no page');
  const size = meta.size === undefined ? { w: 0, h: 0 } : box(`${where} meta.size`, meta.size, ['w', 'h']);
  if (!doc.frames || typeof doc.frames !== 'object' || Array.isArray(doc.frames)) fail(where, 'frames is not a hash (object)');
  const names = new Map<string, string>();
  const frames = Object.entries(doc.frames as Obj).map(([name, v]) => {
    const folded = name.toLowerCase();
    if (names.has(folded)) fail(where, `frames "${names.get(folded)}" and "${name}" are one FName (names compare case-insensitively)`);
    names.set(folded, name);
    return frame(`${where} frames["${name}"]`, name, v, meta.image as string);
  });
  if (frames.length === 0) fail(where, 'no frames');
  return { image: meta.image, size: { w: size.w!, h: size.h! }, frames };
}
