// Built-in export profiles. A profile is data (folder layout, naming, formats);
// a job may pass its own as `profile` instead of naming one of these.
import type { ExportProfile } from '../../engine/jobs/contracts.js';

export const builtInProfiles: Record<string, ExportProfile> = {
  unity: {
    id: 'unity',
    description: 'Unity: page PNGs with TextureImporter .meta (Sprite Mode Multiple)',
    atlasDir: 'Assets/Greenlight/{atlasId}',
    spritesDir: 'Assets/Greenlight/Sprites/{assetId}',
    naming: 'keep',
    formats: ['unity'],
    includeSprites: false,
  },
  godot: {
    id: 'godot',
    description: 'Godot 4: AtlasTexture per frame and SpriteFrames (.tres)',
    atlasDir: 'greenlight/{atlasId}',
    spritesDir: 'greenlight/sprites/{assetId}',
    naming: 'snake',
    formats: ['godot-tres'],
    includeSprites: false,
  },
  unreal: {
    id: 'unreal',
    description: 'Unreal Paper2D: sprite-sheet JSON for the Paper2D importer',
    atlasDir: 'Content/Greenlight/{atlasId}',
    spritesDir: 'Content/Greenlight/Sprites/{assetId}',
    naming: 'keep',
    formats: ['paper2d'],
    includeSprites: false,
  },
  phaser: {
    id: 'phaser',
    description: 'Phaser 3 and 4: multiatlas and TexturePacker JSON hash',
    atlasDir: 'assets/atlases/{atlasId}',
    spritesDir: 'assets/sprites/{assetId}',
    naming: 'kebab',
    formats: ['phaser-multiatlas', 'texturepacker-hash'],
    includeSprites: false,
  },
  custom: {
    id: 'custom',
    description: "Greenlight's atlas JSON, TexturePacker JSON hash and the cut-outs",
    atlasDir: '{atlasId}',
    spritesDir: 'sprites/{assetId}',
    naming: 'keep',
    formats: ['custom', 'texturepacker-hash'],
    includeSprites: true,
  },
};

export function renameFrame(name: string, naming: ExportProfile['naming']): string {
  if (naming === 'keep') return name;
  const sep = naming === 'snake' ? '_' : '-';
  return name
    .replace(/([a-z0-9])([A-Z])/g, `$1${sep}$2`)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, sep)
    .replace(new RegExp(`^\\${sep}+|\\${sep}+$`, 'g'), '');
}
