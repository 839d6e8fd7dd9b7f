// Every atlas data format by name.
import type { AtlasFormat } from '../../engine/jobs/contracts.js';
import type { AtlasLayout } from '../atlas/layout.js';
import { customJson } from './custom.js';
import { godotTres } from './godot.js';
import { paper2d, phaserMultiatlas, texturePackerArray, texturePackerHash } from './texturepacker.js';
import type { FormatFile, FormatOptions, FormatWriter } from './types.js';
import { unityMeta } from './unity.js';

export const formatWriters: Record<AtlasFormat, FormatWriter> = {
  'texturepacker-hash': texturePackerHash,
  'texturepacker-array': texturePackerArray,
  'phaser-multiatlas': phaserMultiatlas,
  'godot-tres': godotTres,
  paper2d,
  unity: unityMeta,
  custom: customJson,
};

export function writeFormats(layout: AtlasLayout, formats: readonly AtlasFormat[], options: FormatOptions = {}): FormatFile[] {
  return [...new Set(formats)].flatMap((f) => formatWriters[f](layout, options));
}
