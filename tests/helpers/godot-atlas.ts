// A strict reader of Godot 4 AtlasTexture and SpriteFrames resources (text format 3), written from
// Godot's class reference, not from our writer. AtlasTexture draws `region` of `atlas` at
// `margin.position` inside a texture of region.size + margin.size (a trimmed sprite keeps its untrimmed
// size through the margin); `filter_clip` stops neighbouring pixels bleeding in. Anything Godot would
// read differently, or that is not one of those properties, is refused with the file and key named.
import type { EngineRegion } from './atlas-regions.js';
import { parseTres, type TresSection, type TresValue } from './godot-tres.js';

export interface GodotAtlasTexture {
  /** The atlas texture's res:// path (from its ext_resource). */
  atlas: string;
  region: [number, number, number, number];
  margin: [number, number, number, number];
  filterClip: boolean;
  name?: string;
}

/** Properties Godot serialises for an AtlasTexture (its own and Resource's). */
const ATLAS_PROPS = new Set(['atlas', 'region', 'margin', 'filter_clip', 'resource_name', 'resource_local_to_scene']);
const HEADER_ATTRS = new Set(['type', 'load_steps', 'format', 'uid']);

function fail(where: string, msg: string): never {
  throw new Error(`${where}: ${msg}`);
}

function onlyKeys(where: string, obj: Record<string, unknown>, allowed: Set<string>): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) fail(where, `unknown key "${k}"`);
}

function rect(where: string, v: TresValue | undefined, what: string): [number, number, number, number] {
  if (!v || typeof v !== 'object' || !('ctor' in v) || v.ctor !== 'Rect2' || v.args.length !== 4)
    fail(where, `${what} is not a Rect2(x, y, w, h): ${JSON.stringify(v)}`);
  if (!v.args.every((a) => typeof a === 'number' && Number.isFinite(a))) fail(where, `${what} has a non-number: ${JSON.stringify(v)}`);
  return v.args as [number, number, number, number];
}

/** The resource's header checked, its ext_resources by id (each Texture2D with a res:// path). */
function header(where: string, sections: TresSection[], type: string): Map<string, string> {
  const head = sections[0]!;
  onlyKeys(`${where} [gd_resource]`, head.attrs, HEADER_ATTRS);
  if (head.attrs.type !== type) fail(where, `resource type is ${JSON.stringify(head.attrs.type)}, want "${type}"`);
  if (head.attrs.format !== 3) fail(where, `format=${JSON.stringify(head.attrs.format)}: Godot 4 text resources are format=3`);
  const loads = sections.filter((s) => s.tag === 'ext_resource' || s.tag === 'sub_resource').length;
  if (head.attrs.load_steps !== undefined && head.attrs.load_steps !== loads + 1)
    fail(where, `load_steps=${JSON.stringify(head.attrs.load_steps)}, want ${loads + 1} (ext + sub resources + 1)`);
  const order = ['gd_resource', 'ext_resource', 'sub_resource', 'resource'];
  sections.forEach((s, i) => {
    const rank = order.indexOf(s.tag);
    if (rank < 0) fail(where, `unknown section [${s.tag}]`);
    if (i > 0 && (rank === 0 || rank < order.indexOf(sections[i - 1]!.tag))) fail(where, `[${s.tag}] out of order`);
  });
  if (sections.filter((s) => s.tag === 'resource').length !== 1) fail(where, 'want exactly one [resource] section');
  const ext = new Map<string, string>();
  for (const s of sections.filter((x) => x.tag === 'ext_resource')) {
    onlyKeys(`${where} [ext_resource]`, s.attrs, new Set(['type', 'path', 'id', 'uid']));
    const { type: t, path, id } = s.attrs;
    if (t !== 'Texture2D') fail(where, `ext_resource type ${JSON.stringify(t)}, want "Texture2D"`);
    if (typeof path !== 'string' || !path.startsWith('res://'))
      fail(where, `ext_resource path ${JSON.stringify(path)} is not a res:// path`);
    if (typeof id !== 'string' || id === '') fail(where, `ext_resource id ${JSON.stringify(id)} is not a string`);
    if (ext.has(id)) fail(where, `ext_resource id "${id}" is used twice`);
    ext.set(id, path);
  }
  return ext;
}

/** One AtlasTexture's properties (from [resource] or a [sub_resource]), checked. */
function atlasTexture(where: string, props: Record<string, TresValue>, ext: Map<string, string>, used: Set<string>): GodotAtlasTexture {
  onlyKeys(where, props, ATLAS_PROPS);
  const a = props.atlas;
  if (!a || typeof a !== 'object' || !('ctor' in a) || a.ctor !== 'ExtResource' || a.args.length !== 1 || typeof a.args[0] !== 'string')
    fail(where, `atlas is not ExtResource("id"): ${JSON.stringify(a)}`);
  const id = a.args[0] as string;
  const atlas = ext.get(id) ?? fail(where, `atlas names ext_resource "${id}", which is not declared`);
  used.add(id);
  if (props.region === undefined) fail(where, 'no region: Godot would draw the whole atlas');
  const region = rect(where, props.region, 'region');
  if (region[2] <= 0 || region[3] <= 0) fail(where, `region ${region.join(',')} has no area (a 0 size means the whole atlas axis)`);
  const margin = props.margin === undefined ? ([0, 0, 0, 0] as [number, number, number, number]) : rect(where, props.margin, 'margin');
  if (margin.some((m) => m < 0)) fail(where, `margin ${margin.join(',')} is negative`);
  if (margin[0] > margin[2] || margin[1] > margin[3])
    fail(where, `margin ${margin.join(',')} places the region outside the texture (offset larger than the margin size)`);
  const fc = props.filter_clip ?? false;
  if (typeof fc !== 'boolean') fail(where, `filter_clip is ${JSON.stringify(fc)}, not a bool`);
  const name = props.resource_name;
  if (name !== undefined && typeof name !== 'string') fail(where, `resource_name is ${JSON.stringify(name)}, not a string`);
  return { atlas, region, margin, filterClip: fc, ...(name !== undefined ? { name } : {}) };
}

function unusedExt(where: string, ext: Map<string, string>, used: Set<string>): void {
  for (const id of ext.keys()) if (!used.has(id)) fail(where, `ext_resource "${id}" is never used`);
}

/** A `[gd_resource type="AtlasTexture" …]` file. */
export function readAtlasTexture(text: string, where: string): GodotAtlasTexture {
  const sections = parseTres(text);
  const ext = header(where, sections, 'AtlasTexture');
  if (sections.some((s) => s.tag === 'sub_resource')) fail(where, 'an AtlasTexture has no sub_resources');
  const used = new Set<string>();
  const res = atlasTexture(`${where} [resource]`, sections.find((s) => s.tag === 'resource')!.props, ext, used);
  unusedExt(where, ext, used);
  return res;
}

export interface GodotAnimation {
  name: string;
  speed: number;
  loop: boolean;
  frames: { duration: number; texture: GodotAtlasTexture }[];
}

function dictOf(where: string, v: TresValue, keys: string[]): Record<string, TresValue> {
  if (!v || typeof v !== 'object' || !('dict' in v)) fail(where, `not a dictionary: ${JSON.stringify(v)}`);
  const out: Record<string, TresValue> = {};
  for (const [k, val] of v.dict) {
    if (typeof k !== 'string' || !keys.includes(k)) fail(where, `unknown key ${JSON.stringify(k)}`);
    if (k in out) fail(where, `key "${k}" given twice`);
    out[k] = val;
  }
  for (const k of keys) if (!(k in out)) fail(where, `missing key "${k}"`);
  return out;
}

/** A `[gd_resource type="SpriteFrames" …]` file: every animation with its frames' AtlasTextures. */
export function readSpriteFrames(text: string, where: string): GodotAnimation[] {
  const sections = parseTres(text);
  const ext = header(where, sections, 'SpriteFrames');
  const used = new Set<string>();
  const subs = new Map<string, GodotAtlasTexture>();
  for (const s of sections.filter((x) => x.tag === 'sub_resource')) {
    onlyKeys(`${where} [sub_resource]`, s.attrs, new Set(['type', 'id']));
    const id = s.attrs.id;
    if (s.attrs.type !== 'AtlasTexture') fail(where, `sub_resource type ${JSON.stringify(s.attrs.type)}, want "AtlasTexture"`);
    if (typeof id !== 'string' || subs.has(id)) fail(where, `sub_resource id ${JSON.stringify(id)} is not a fresh string`);
    subs.set(id, atlasTexture(`${where} [sub_resource id="${id}"]`, s.props, ext, used));
  }
  // An unused page ext_resource is not checked here: Godot loads it (a wasted texture load), draws the same.
  const props = sections.find((s) => s.tag === 'resource')!.props;
  onlyKeys(`${where} [resource]`, props, new Set(['animations', 'resource_name']));
  if (!Array.isArray(props.animations)) fail(where, 'animations is not an array');
  const referenced = new Set<string>();
  const anims = props.animations.map((a, k) => {
    const at = `${where} animations[${k}]`;
    const d = dictOf(at, a, ['frames', 'loop', 'name', 'speed']);
    const name = d.name;
    if (!name || typeof name !== 'object' || !('stringName' in name)) fail(at, `name is not a StringName (&"…"): ${JSON.stringify(name)}`);
    if (typeof d.loop !== 'boolean') fail(at, 'loop is not a bool');
    if (typeof d.speed !== 'number' || !(d.speed > 0)) fail(at, `speed ${JSON.stringify(d.speed)} is not a positive number`);
    if (!Array.isArray(d.frames)) fail(at, 'frames is not an array');
    const frames = d.frames.map((f, j) => {
      const fd = dictOf(`${at}.frames[${j}]`, f, ['duration', 'texture']);
      const t = fd.texture;
      if (!t || typeof t !== 'object' || !('ctor' in t) || t.ctor !== 'SubResource' || typeof t.args[0] !== 'string')
        fail(`${at}.frames[${j}]`, `texture is not SubResource("id"): ${JSON.stringify(t)}`);
      const id = t.args[0] as string;
      referenced.add(id);
      if (typeof fd.duration !== 'number' || !(fd.duration > 0)) fail(`${at}.frames[${j}]`, 'duration is not a positive number');
      return { duration: fd.duration, texture: subs.get(id) ?? fail(`${at}.frames[${j}]`, `SubResource "${id}" is not declared`) };
    });
    return { name: name.stringName, speed: d.speed, loop: d.loop, frames };
  });
  for (const id of subs.keys()) if (!referenced.has(id)) fail(where, `sub_resource "${id}" is in no animation`);
  return anims;
}

/** What Godot draws for an AtlasTexture, as an engine region. */
export function godotRegion(name: string, t: GodotAtlasTexture): EngineRegion {
  const [x, y, w, h] = t.region;
  const [mx, my, mw, mh] = t.margin;
  return { name, image: t.atlas, x, y, w, h, rotated: false, offset: { x: mx, y: my }, sourceSize: { w: w + mw, h: h + mh } };
}
