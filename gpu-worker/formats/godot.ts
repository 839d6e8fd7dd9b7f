// Godot 4 resources (text format 3): one AtlasTexture .tres per frame under
// frames/, and one SpriteFrames .tres whose animations reference sub-resource
// AtlasTextures (all frames as "default" when no animation was given).
// AtlasTexture cannot rotate, so atlases for Godot are packed without rotation.
import type { FrameLayout } from '../atlas/layout.js';
import type { FormatFile, FormatWriter } from './types.js';

/** A Godot string literal. */
const str = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const num = (n: number) => (Number.isInteger(n) ? `${n}` : `${Number(n.toFixed(6))}`);
const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
/** The AtlasTexture file a frame is written to. */
export const godotFrameFile = (name: string) => `frames/${fileSafe(name)}.tres`;

function region(f: FrameLayout): string {
  return `Rect2(${f.x}, ${f.y}, ${f.w}, ${f.h})`;
}

/** Trimmed frames keep their source size through the margin: offset, then the trimmed-away size. */
function margin(f: FrameLayout): string {
  return `Rect2(${f.spriteSourceSize.x}, ${f.spriteSourceSize.y}, ${f.sourceSize.w - f.w}, ${f.sourceSize.h - f.h})`;
}

export const godotTres: FormatWriter = (layout, options) => {
  const res = (options.godotResPath ?? `res://atlases/${layout.atlasId}/`).replace(/\/?$/, '/');
  const files: FormatFile[] = layout.frames.map((f) => ({
    name: godotFrameFile(f.name),
    content: [
      '[gd_resource type="AtlasTexture" load_steps=2 format=3]',
      '',
      `[ext_resource type="Texture2D" path=${str(res + layout.pages[f.page]!.image)} id="1_page"]`,
      '',
      '[resource]',
      `resource_name = ${str(f.name)}`,
      'atlas = ExtResource("1_page")',
      `region = ${region(f)}`,
      `margin = ${margin(f)}`,
      'filter_clip = true',
      '',
    ].join('\n'),
  }));
  const anims =
    layout.animations.length > 0 ? layout.animations : [{ name: 'default', frames: layout.frames.map((f) => f.name), fps: 12, loop: true }];
  const byName = new Map(layout.frames.map((f, i) => [f.name, { f, id: `AtlasTexture_${i}` }]));
  const used = layout.frames.filter((f) => anims.some((a) => a.frames.includes(f.name)));
  const lines = [`[gd_resource type="SpriteFrames" load_steps=${layout.pages.length + used.length + 1} format=3]`, ''];
  layout.pages.forEach((p, i) => lines.push(`[ext_resource type="Texture2D" path=${str(res + p.image)} id="${i + 1}_page"]`));
  lines.push('');
  for (const f of used) {
    lines.push(
      `[sub_resource type="AtlasTexture" id="${byName.get(f.name)!.id}"]`,
      `atlas = ExtResource("${f.page + 1}_page")`,
      `region = ${region(f)}`,
      `margin = ${margin(f)}`,
      'filter_clip = true',
      '',
    );
  }
  const animText = anims
    .map((a) => {
      const frames = a.frames.map((n) => `{\n"duration": 1.0,\n"texture": SubResource("${byName.get(n)!.id}")\n}`).join(', ');
      return `{\n"frames": [${frames}],\n"loop": ${a.loop},\n"name": &${str(a.name)},\n"speed": ${num(a.fps)}\n}`;
    })
    .join(', ');
  lines.push('[resource]', `animations = [${animText}]`, '');
  files.push({ name: `${layout.atlasId}.sprite_frames.tres`, content: lines.join('\n') });
  return files;
};
