// What each atlas data format can hold, as its engine reads it. pack_atlas turns a feature off (with
// a warning) when a requested format cannot draw it: a rotated frame read by Phaser (phaserjs/phaser#5012;
// Phaser 4.2 still draws every one turned, tests/integration/atlas-real-clients.test.ts), Godot's
// AtlasTexture or Unity's sprite sheet (no rotation field) comes out turned or stretched.
import type { AtlasFormat } from '../../engine/jobs/contracts.js';

export interface FormatCapabilities {
  /** Who reads it, for messages. */
  reader: string;
  /** Frames stored turned 90° are drawn upright. */
  rotation: boolean;
  /** Trimmed frames keep their place in the untrimmed source (offsets / margins). */
  trim: boolean;
  /** Per-frame pivots. */
  pivots: boolean;
  /** Several pages in one atlas. */
  multipage: boolean;
  /** Named animations. */
  animations: boolean;
}

export const formatCapabilities: Readonly<Record<AtlasFormat, FormatCapabilities>> = {
  'texturepacker-hash': {
    reader: 'TexturePacker JSON (hash) readers such as PixiJS',
    rotation: true,
    trim: true,
    pivots: true,
    multipage: true,
    animations: true,
  },
  // Not PixiJS: its Spritesheet keys array frames by index ("0", "1", …), so none is found by name.
  // Phaser finds them by filename but draws rotated frames turned, as with its other formats.
  'texturepacker-array': {
    reader: 'TexturePacker JSON (array) readers such as Phaser',
    rotation: false,
    trim: true,
    pivots: true,
    multipage: true,
    animations: false,
  },
  'phaser-multiatlas': { reader: 'Phaser', rotation: false, trim: true, pivots: true, multipage: true, animations: false },
  'godot-tres': { reader: 'Godot AtlasTexture', rotation: false, trim: true, pivots: false, multipage: true, animations: true },
  paper2d: { reader: 'Unreal Paper2D', rotation: true, trim: true, pivots: true, multipage: true, animations: false },
  unity: { reader: 'Unity sprite sheets', rotation: false, trim: true, pivots: true, multipage: true, animations: false },
  custom: { reader: 'Greenlight JSON', rotation: true, trim: true, pivots: true, multipage: true, animations: true },
};

/** The requested formats that cannot draw `feature`. */
export function formatsWithout(formats: readonly AtlasFormat[], feature: 'rotation'): AtlasFormat[] {
  return [...new Set(formats)].filter((f) => !formatCapabilities[f][feature]);
}
