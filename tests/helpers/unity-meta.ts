// A strict reader of a Unity texture .meta with a sprite sheet (TextureImporter, Sprite Mode Multiple),
// written from Unity's manual and scripting reference (TextureImporter, SpriteMetaData, SpriteAlignment),
// not from our writer. Unity's rect origin is the texture's bottom-left corner (y up); the pivot is
// relative to the sprite's own rect (0..1 inside it, outside allowed), and only read when alignment is
// Custom (9); otherwise the alignment names it. Unity has no rotation field and no trim offset: a sprite
// is its rect, placed by its pivot. Unknown or missing keys are refused with the file and sprite named.
import YAML from 'yaml';
import type { EngineRegion } from './atlas-regions.js';

export interface UnitySprite {
  name: string;
  /** Bottom-left origin, as written. */
  rect: { x: number; y: number; width: number; height: number };
  alignment: number;
  /** The pivot Unity uses: the alignment's, or `pivot` when alignment is Custom (9). Relative to the rect, y up. */
  pivot: { x: number; y: number };
  /** Left, bottom, right, top (9-slice), in pixels. */
  border: { x: number; y: number; z: number; w: number };
  spriteID: string;
  internalID: bigint;
}

export interface UnityTextureMeta {
  guid: string;
  maxTextureSize: number;
  sprites: UnitySprite[];
}

const SPRITE_KEYS = new Set([
  ...['serializedVersion', 'name', 'rect', 'alignment', 'pivot', 'border', 'customData', 'outline', 'physicsShape'],
  ...['tessellationDetail', 'bones', 'spriteID', 'internalID', 'vertices', 'indices', 'edges', 'weights'],
]);
const IMPORTER_KEYS = new Set([
  ...['serializedVersion', 'internalIDToNameTable', 'externalObjects', 'mipmaps', 'bumpmap', 'isReadable', 'streamingMipmaps'],
  ...['streamingMipmapsPriority', 'vTOnly', 'ignoreMipmapLimit', 'grayScaleToAlpha', 'generateCubemap', 'cubemapConvolution'],
  ...['seamlessCubemap', 'textureFormat', 'maxTextureSize', 'textureSettings', 'nPOTScale', 'lightmap', 'compressionQuality'],
  ...['spriteMode', 'spriteExtrude', 'spriteMeshType', 'alignment', 'spritePivot', 'spritePixelsToUnits', 'spriteBorder'],
  ...['spriteGenerateFallbackPhysicsShape', 'alphaUsage', 'alphaIsTransparency', 'spriteTessellationDetail', 'textureType'],
  ...['textureShape', 'singleChannelComponent', 'flipbookRows', 'flipbookColumns', 'maxTextureSizeSet', 'compressionQualitySet'],
  ...['textureFormatSet', 'ignorePngGamma', 'applyGammaDecoding', 'swizzle', 'cookieLightType', 'platformSettings'],
  ...['spriteSheet', 'mipmapLimitGroupName', 'pSDRemoveMatte', 'userData', 'assetBundleName', 'assetBundleVariant'],
]);
/** SpriteAlignment: Center, TopLeft, TopCenter, TopRight, LeftCenter, RightCenter, BottomLeft, BottomCenter, BottomRight. */
const ALIGNMENT_PIVOTS: [number, number][] = [
  [0.5, 0.5],
  [0, 1],
  [0.5, 1],
  [1, 1],
  [0, 0.5],
  [1, 0.5],
  [0, 0],
  [0.5, 0],
  [1, 0],
];
const TEXTURE_SIZES = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

type Obj = Record<string, unknown>;

function fail(where: string, msg: string): never {
  throw new Error(`${where}: ${msg}`);
}

function obj(where: string, v: unknown, keys: string[], optional: string[] = []): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(where, `not a mapping: ${show(v)}`);
  for (const k of Object.keys(v)) if (!keys.includes(k) && !optional.includes(k)) fail(where, `unknown key "${k}"`);
  for (const k of keys) if (!(k in v)) fail(where, `missing key "${k}"`);
  return v as Obj;
}

const big = (_: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
/** A value for a message: YAML integers (bigint) as written. */
const show = (v: unknown) => (typeof v === 'bigint' ? v.toString() : JSON.stringify(v, big));

/** A YAML number (integers come as bigint, so 64-bit ids keep every digit). */
function num(where: string, v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return fail(where, `not a number: ${show(v)}`);
}

function sprite(where: string, v: unknown): UnitySprite {
  const s = obj(where, v, ['name', 'rect', 'alignment', 'pivot', 'border'], [...SPRITE_KEYS]);
  if (typeof s.name !== 'string' || s.name === '') fail(where, `name ${JSON.stringify(s.name)} is not a string`);
  const at = `${where} (${s.name})`;
  const r = obj(`${at} rect`, s.rect, ['x', 'y', 'width', 'height'], ['serializedVersion']);
  const rect = {
    x: num(`${at} rect.x`, r.x),
    y: num(`${at} rect.y`, r.y),
    width: num(`${at} rect.width`, r.width),
    height: num(`${at} rect.height`, r.height),
  };
  if (!(rect.width > 0 && rect.height > 0)) fail(at, `rect ${JSON.stringify(rect)} has no area`);
  const alignment = num(`${at} alignment`, s.alignment);
  if (!Number.isInteger(alignment) || alignment < 0 || alignment > 9) fail(at, `alignment ${alignment} is not a SpriteAlignment (0..9)`);
  const p = obj(`${at} pivot`, s.pivot, ['x', 'y']);
  const written = { x: num(`${at} pivot.x`, p.x), y: num(`${at} pivot.y`, p.y) };
  const named = ALIGNMENT_PIVOTS[alignment];
  const pivot = named ? { x: named[0], y: named[1] } : written;
  const b = obj(`${at} border`, s.border, ['x', 'y', 'z', 'w']);
  const border = {
    x: num(`${at} border.x`, b.x),
    y: num(`${at} border.y`, b.y),
    z: num(`${at} border.z`, b.z),
    w: num(`${at} border.w`, b.w),
  };
  if (Object.values(border).some((n) => n < 0) || border.x + border.z > rect.width || border.y + border.w > rect.height)
    fail(at, `border ${JSON.stringify(border)} does not fit the ${rect.width}×${rect.height} rect`);
  const spriteID = s.spriteID;
  if (spriteID !== undefined && (typeof spriteID !== 'string' || !/^[0-9a-f]{32}$/.test(spriteID)))
    fail(at, `spriteID ${show(spriteID)} is not 32 hex digits`);
  const id = s.internalID;
  if (id !== undefined && typeof id !== 'bigint') fail(at, `internalID ${JSON.stringify(id)} is not an integer`);
  return { name: s.name, rect, alignment, pivot, border, spriteID: (spriteID as string) ?? '', internalID: (id as bigint) ?? 0n };
}

/** A texture's .meta, checked against the page it describes (its size in pixels). */
export function readUnityMeta(text: string, where: string, page: { width: number; height: number }): UnityTextureMeta {
  const doc = obj(where, YAML.parse(text, { intAsBigInt: true }), ['fileFormatVersion', 'guid', 'TextureImporter']);
  if (doc.fileFormatVersion !== 2n) fail(where, `fileFormatVersion ${show(doc.fileFormatVersion)}, want 2`);
  if (typeof doc.guid !== 'string' || !/^[0-9a-f]{32}$/.test(doc.guid)) fail(where, `guid ${show(doc.guid)} is not 32 hex digits`);
  const ti = obj(`${where} TextureImporter`, doc.TextureImporter, ['textureType', 'spriteMode', 'spriteSheet'], [...IMPORTER_KEYS]);
  if (ti.textureType !== 8n) fail(where, `textureType ${show(ti.textureType)}: a sprite sheet is Sprite (8)`);
  if (ti.spriteMode !== 2n) fail(where, `spriteMode ${show(ti.spriteMode)}: a sprite sheet is Multiple (2)`);
  const maxTextureSize = ti.maxTextureSize === undefined ? 2048 : num(`${where} maxTextureSize`, ti.maxTextureSize);
  if (!TEXTURE_SIZES.includes(maxTextureSize))
    fail(where, `maxTextureSize ${maxTextureSize} is not one of Unity's sizes (${TEXTURE_SIZES.join(', ')})`);
  if (maxTextureSize < Math.max(page.width, page.height))
    fail(
      where,
      `maxTextureSize ${maxTextureSize} is below the ${page.width}×${page.height} page: Unity would scale it down and every rect with it`,
    );
  const sheet = obj(
    `${where} spriteSheet`,
    ti.spriteSheet,
    ['sprites'],
    [
      'serializedVersion',
      'outline',
      'physicsShape',
      'bones',
      'spriteID',
      'internalID',
      'vertices',
      'indices',
      'edges',
      'weights',
      'secondaryTextures',
      'nameFileIdTable',
    ],
  );
  if (!Array.isArray(sheet.sprites)) fail(where, 'spriteSheet.sprites is not a list');
  const sprites = sheet.sprites.map((s, i) => sprite(`${where} sprites[${i}]`, s));
  const dup = (key: (s: UnitySprite) => string, what: string) => {
    const seen = new Set<string>();
    for (const s of sprites) {
      const k = key(s);
      if (k !== '' && k !== '0' && seen.has(k)) fail(where, `${what} ${k} is used by two sprites (${s.name})`);
      seen.add(k);
    }
  };
  dup((s) => s.name, 'name');
  dup((s) => s.spriteID, 'spriteID');
  dup((s) => s.internalID.toString(), 'internalID');
  for (const s of sprites) {
    const { x, y, width, height } = s.rect;
    if (x < 0 || y < 0 || x + width > page.width || y + height > page.height)
      fail(where, `${s.name}: rect ${x},${y} ${width}×${height} leaves the ${page.width}×${page.height} texture`);
  }
  return { guid: doc.guid, maxTextureSize, sprites };
}

/**
 * What Unity draws for a sprite, as an engine region. Unity knows no source size or trim offset: the
 * sprite sits where its pivot puts it, so the region is placed by matching the sprite's pivot with the
 * pivot the sprite was made with (`sourcePivot`, relative to the untrimmed source, y down). A pivot that
 * lands between pixels gives a fractional offset, which rebuildSprite refuses.
 */
export function unityRegion(
  s: UnitySprite,
  image: string,
  pageHeight: number,
  source: { w: number; h: number },
  sourcePivot: { x: number; y: number },
): EngineRegion {
  const { x, y, width: w, height: h } = s.rect;
  const snap = (v: number) => (Math.abs(v - Math.round(v)) < 1e-3 ? Math.round(v) : v);
  const ox = snap(sourcePivot.x * source.w - s.pivot.x * w);
  const oy = snap(sourcePivot.y * source.h - (1 - s.pivot.y) * h);
  return { name: s.name, image, x, y: pageHeight - y - h, w, h, rotated: false, offset: { x: ox, y: oy }, sourceSize: source };
}
