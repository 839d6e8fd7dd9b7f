// Unity: a TextureImporter .meta beside each page PNG with spriteMode Multiple
// (2) and one sprite per frame. Unity's rect origin is bottom-left, so y and
// the pivot are flipped; the pivot is relative to the trimmed rect. No rotation
// field: pack_atlas never rotates frames for Unity (capabilities.ts). GUIDs and ids are derived from the atlas and frame
// names, so re-exporting keeps references in scenes and prefabs intact.
import { createHash } from 'node:crypto';
import type { AtlasLayout } from '../atlas/layout.js';
import type { FormatWriter } from './types.js';

const guid = (s: string) => createHash('md5').update(s).digest('hex');
/** A stable positive int64 (as decimal text) for internalID. */
const internalId = (s: string) => (BigInt(`0x${createHash('sha256').update(s).digest('hex').slice(0, 15)}`) + 1n).toString();
/** YAML-safe scalar: names are quoted. */
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Unity's Max Size is one of 32, 64, … 16384 (the TextureImporter inspector's list); a larger page is
 * scaled down on import, and every sprite rect with it. The smallest listed size that holds the page, at
 * least Unity's default 2048 (a page of 2100 px must say 4096, not 2100).
 */
const maxTextureSize = (w: number, h: number) => 2 ** Math.max(11, Math.ceil(Math.log2(Math.max(w, h))));

export const unityMeta: FormatWriter = (layout: AtlasLayout) =>
  layout.pages.map((p, page) => {
    const sprites = layout.frames
      .filter((f) => f.page === page)
      .map((f) => {
        const w = f.rotated ? f.h : f.w;
        const h = f.rotated ? f.w : f.h;
        // Unity's pivot is relative to the sprite's own (trimmed) rect, y up; ours to the untrimmed source, y down.
        const s = f.spriteSourceSize;
        const px = Number(((f.pivot.x * f.sourceSize.w - s.x) / s.w).toFixed(6));
        const py = Number((1 - (f.pivot.y * f.sourceSize.h - s.y) / s.h).toFixed(6));
        return [
          '    - serializedVersion: 2',
          `      name: ${q(f.name)}`,
          '      rect:',
          '        serializedVersion: 2',
          `        x: ${f.x}`,
          `        y: ${p.height - f.y - h}`,
          `        width: ${w}`,
          `        height: ${h}`,
          '      alignment: 9',
          `      pivot: {x: ${px}, y: ${py}}`,
          '      border: {x: 0, y: 0, z: 0, w: 0}',
          '      outline: []',
          '      physicsShape: []',
          '      tessellationDetail: 0',
          '      bones: []',
          `      spriteID: ${guid(`${layout.atlasId}/${f.name}`)}`,
          `      internalID: ${internalId(`${layout.atlasId}/${f.name}`)}`,
          '      vertices: []',
          '      indices: ',
          '      edges: []',
          '      weights: []',
        ].join('\n');
      });
    return {
      name: `${p.image}.meta`,
      content: [
        'fileFormatVersion: 2',
        `guid: ${guid(`${layout.atlasId}/${p.image}`)}`,
        'TextureImporter:',
        '  serializedVersion: 12',
        '  mipmaps:',
        '    enableMipMap: 0',
        '  textureSettings:',
        '    serializedVersion: 2',
        '    filterMode: 1',
        '    wrapU: 1',
        '    wrapV: 1',
        '  alphaIsTransparency: 1',
        '  spriteMode: 2',
        '  spritePixelsToUnits: 100',
        '  alignment: 0',
        '  spritePivot: {x: 0.5, y: 0.5}',
        '  textureType: 8',
        '  textureShape: 1',
        `  maxTextureSize: ${maxTextureSize(p.width, p.height)}`,
        '  spriteSheet:',
        '    serializedVersion: 2',
        sprites.length > 0 ? '    sprites:\n' + sprites.join('\n') : '    sprites: []',
        '    outline: []',
        '    physicsShape: []',
        '  userData: ',
        '  assetBundleName: ',
        '  assetBundleVariant: ',
        '',
      ].join('\n'),
    };
  });
