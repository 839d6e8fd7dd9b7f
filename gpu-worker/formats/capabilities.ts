// What each atlas data format can hold, as its engine reads it. pack_atlas turns a feature off (with
// a warning) when a requested format cannot draw it: a rotated frame read by Phaser (phaserjs/phaser#5012;
// Phaser 4.2 still draws every one turned, tests/integration/atlas-real-clients.test.ts), Godot's
// AtlasTexture or Unity's sprite sheet (no rotation field) comes out turned or stretched.
import type { AtlasFormat } from '../../engine/jobs/contracts.js';
import { godotFrameFile } from './godot.js';

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
  /**
   * Where the reader tells frames apart more loosely than by exact name: what a name becomes to it.
   * Two frames with one key would overwrite or shadow each other.
   */
  nameKey?: { key: (name: string) => string; why: string };
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
  'godot-tres': {
    reader: 'Godot AtlasTexture',
    rotation: false,
    trim: true,
    pivots: false,
    multipage: true,
    animations: true,
    nameKey: {
      key: (name) => godotFrameFile(name).toLowerCase(),
      why: 'one file per frame, names made file-safe and compared case-insensitively as on Windows and macOS',
    },
  },
  paper2d: {
    reader: 'Unreal Paper2D',
    rotation: true,
    trim: true,
    pivots: true,
    multipage: true,
    animations: false,
    // Paper2D keys frames by FName, which compares case-insensitively: the second one fails the import.
    nameKey: { key: (name) => name.toLowerCase(), why: 'frame names compare case-insensitively (FName)' },
  },
  unity: { reader: 'Unity sprite sheets', rotation: false, trim: true, pivots: true, multipage: true, animations: false },
  custom: { reader: 'Greenlight JSON', rotation: true, trim: true, pivots: true, multipage: true, animations: true },
};

/** The requested formats that cannot draw `feature`. */
export function formatsWithout(formats: readonly AtlasFormat[], feature: 'rotation'): AtlasFormat[] {
  return [...new Set(formats)].filter((f) => !formatCapabilities[f][feature]);
}

/**
 * The first two frames (by index) that a requested format cannot tell apart, with a message naming
 * both, the reader and why; undefined when every format keeps them apart.
 */
export function nameClash(formats: readonly AtlasFormat[], names: readonly string[]): { index: number; message: string } | undefined {
  for (const f of new Set(formats)) {
    const nk = formatCapabilities[f].nameKey;
    if (!nk) continue;
    const seen = new Map<string, number>();
    for (const [i, name] of names.entries()) {
      const key = nk.key(name);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else
        return {
          index: i,
          message: `${formatCapabilities[f].reader} (${f}) cannot tell frames "${names[first]}" and "${name}" apart (both are "${key}": ${nk.why}); rename one`,
        };
    }
  }
  return undefined;
}
