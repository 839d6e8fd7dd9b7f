// pack_atlas: frames (cut-outs) → atlas pages + data files in every requested
// format, under atlases/<atlasId>/. Rotation is forced off when any requested
// format's reader cannot draw rotated frames (Phaser, Godot, Unity:
// formats/capabilities.ts) and the output says so.
import path from 'node:path';
import { outputIdOf, type JobInput } from '../../engine/jobs/contracts.js';
import { formatCapabilities, formatsWithout, nameClash } from '../formats/capabilities.js';
import { composePages, encodePages } from '../atlas/compose.js';
import { layoutAtlas, type SourceFrame } from '../atlas/layout.js';
import { JobInputError } from '../errors.js';
import { pngsAt } from '../files.js';
import { writeFormats } from '../formats/index.js';
import { decodeRgba, type Rgba } from '../image/io.js';
import type { JobContext, Processor } from './types.js';

interface FrameRef {
  path: string;
  name?: string;
  pivot?: { x: number; y: number };
  field: string;
}

async function frameRefs(input: JobInput<'pack_atlas'>, ctx: JobContext): Promise<FrameRef[]> {
  const refs: FrameRef[] = [];
  const add = async (p: string, field: string, extra: Omit<FrameRef, 'path' | 'field'> = {}) => {
    const found = await pngsAt(ctx.files, p, field);
    // Name and pivot given for one path belong to that file, not to every file of a folder.
    for (const f of found) refs.push(found.length === 1 && f === p ? { path: f, field, ...extra } : { path: f, field });
  };
  if (input.frames)
    for (const [i, f] of input.frames.entries())
      await (typeof f === 'string' ? add(f, `frames.${i}`) : add(f.path, `frames.${i}`, { name: f.name, pivot: f.pivot }));
  else if (input.assetIds?.length) for (const [i, a] of input.assetIds.entries()) await add(`files/images/${a}/alpha`, `assetIds.${i}`);
  else throw new JobInputError('frames', 'say what to pack: frames (PNG paths or folders) or assetIds with cut-outs');
  return refs;
}

export const packAtlas: Processor<'pack_atlas'> = async (input, ctx) => {
  const atlasId = outputIdOf('atlas', input, ctx.jobId);
  const warnings: string[] = [];
  const unrotatable = formatsWithout(input.formats, 'rotation');
  const rotation = input.rotation && unrotatable.length === 0;
  if (input.rotation && !rotation)
    warnings.push(
      `rotation was turned off: ${unrotatable.map((f) => `${formatCapabilities[f].reader} (${f})`).join(', ')} cannot draw rotated frames`,
    );
  const refs = await frameRefs(input, ctx);
  if (refs.length === 0)
    throw new JobInputError(
      input.frames ? 'frames' : 'assetIds',
      'no PNG frames found; cut the assets out first (bg_remove) or name the PNGs',
    );
  // Each file decoded once, a few at a time (sharp decodes off the JS thread: 64 frames took half as long as one by one).
  const fieldOf = new Map<string, string>();
  for (const r of refs) if (!fieldOf.has(r.path)) fieldOf.set(r.path, r.field);
  const paths = [...fieldOf.keys()];
  const images = new Map<string, Rgba>();
  let next = 0;
  const reader = async () => {
    while (next < paths.length) {
      const p = paths[next++]!;
      const field = fieldOf.get(p)!;
      images.set(p, await decodeRgba(await ctx.files.read(p, field), field, p));
      if (images.size % 16 === 0) ctx.progress((0.5 * images.size) / paths.length, `reading frames (${images.size}/${paths.length})`);
    }
  };
  ctx.progress(0, `reading frames (0/${paths.length})`);
  await Promise.all(Array.from({ length: Math.min(4, paths.length) }, reader));
  const frames: SourceFrame[] = refs.map((r) => ({
    name: r.name ?? path.posix.parse(r.path).name,
    source: r.path,
    image: images.get(r.path)!,
    pivot: r.pivot ?? input.pivot,
    field: r.field,
  }));
  const clash = nameClash(
    input.formats,
    frames.map((f) => f.name),
  );
  if (clash) throw new JobInputError(frames[clash.index]!.field, clash.message);
  ctx.progress(0.5, `packing ${frames.length} frames`);
  const options = {
    maxSize: input.maxSize,
    padding: input.padding,
    extrude: input.extrude,
    trim: input.trim,
    rotation,
    pot: input.pot,
    square: input.square,
    multipack: input.multipack,
    dedupe: input.dedupe,
    order: input.order,
  };
  const layout = layoutAtlas(atlasId, frames, options, input.animations);
  ctx.progress(0.6, `drawing ${layout.pages.length} page(s)`);
  const pages = await encodePages(composePages(layout, images));
  const dir = `atlases/${atlasId}`;
  const formats = [...new Set([...input.formats, 'custom' as const])];
  const perFormat = formats.map((f) => [f, writeFormats(layout, [f], { godotResPath: input.godotResPath })] as const);
  ctx.progress(0.9, 'writing files');
  await Promise.all([
    ...pages.map((p) => ctx.files.write(`${dir}/${p.image}`, p.png, 'atlasId')),
    ...perFormat.flatMap(([, files]) => files.map((f) => ctx.files.write(`${dir}/${f.name}`, f.content, 'atlasId'))),
  ]);
  const data = Object.fromEntries(perFormat.map(([f, files]) => [f, files.map((x) => `${dir}/${x.name}`)]));
  ctx.progress(1, 'done');
  return {
    atlasId,
    pages: pages.map((p) => `${dir}/${p.image}`),
    data,
    frames: layout.frames.length,
    occupancy: Number(layout.occupancy.toFixed(4)),
    warnings,
  };
};
