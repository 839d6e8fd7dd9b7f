// bg_remove: cut-outs with alpha. Sources: originalPaths, originalPath (a PNG or
// a folder of them), the originals of variantIds or of variantId, or every original of the asset.
// Each result goes to …/alpha/<name>.png beside …/original/, with its trim
// rectangle and padding in the output (and in a .json beside it, with the settings: `threshold` as
// asked, e.g. "auto", and `thresholdUsed`, the cut it came to).
import path from 'node:path';
import type { JobInput } from '../../engine/jobs/contracts.js';
import { JobInputError } from '../errors.js';
import { pngsAt } from '../files.js';
import { decodeRgba, encodePng } from '../image/io.js';
import { removeBackground } from '../image/matte.js';
import { modelMatte } from '../image/model-matte.js';
import type { JobContext, Processor } from './types.js';

async function sources(input: JobInput<'bg_remove'>, ctx: JobContext): Promise<{ path: string; field: string }[]> {
  const expand = async (rel: string, field: string) => (await pngsAt(ctx.files, rel, field)).map((p) => ({ path: p, field }));
  if (input.originalPaths?.length) return (await Promise.all(input.originalPaths.map((p, i) => expand(p, `originalPaths.${i}`)))).flat();
  if (input.originalPath) return expand(input.originalPath, 'originalPath');
  const assetId = input.assetId;
  if (input.variantIds?.length) {
    if (!assetId) throw new JobInputError('assetId', 'variantIds are variants of an asset: give its assetId too');
    return input.variantIds.map((v, i) => ({ path: `files/images/${assetId}/original/${v}.png`, field: `variantIds.${i}` }));
  }
  if (input.assetId && input.variantId)
    return [{ path: `files/images/${input.assetId}/original/${input.variantId}.png`, field: 'variantId' }];
  if (input.assetId) return expand(`files/images/${input.assetId}/original`, 'assetId');
  throw new JobInputError('originalPath', 'say what to cut out: originalPath, originalPaths, or assetId (with variantId for one variant)');
}

export function alphaPathFor(source: string): string {
  const parts = source.split('/');
  const at = parts.lastIndexOf('original');
  const name = `${path.posix.parse(source).name}.png`;
  if (at >= 0 && at === parts.length - 2) return [...parts.slice(0, at), 'alpha', name].join('/');
  return path.posix.join(path.posix.dirname(source), 'alpha', name);
}

export const bgRemove: Processor<'bg_remove'> = async (input, ctx) => {
  const list = await sources(input, ctx);
  if (list.length === 0) throw new JobInputError(input.originalPath ? 'originalPath' : 'assetId', 'no PNG files found to cut out');
  const items = [];
  for (const [k, src] of list.entries()) {
    ctx.progress(k / list.length, `cutting out ${path.posix.basename(src.path)} (${k + 1}/${list.length})`);
    const img = await decodeRgba(await ctx.files.read(src.path, src.field), src.field, src.path);
    const opts = { threshold: input.threshold, feather: input.feather, erode: input.erode, removeHoles: input.removeHoles };
    const matte = input.method === 'model' ? await modelMatte(img, opts, ctx.settings) : removeBackground(img, opts);
    const alphaPath = alphaPathFor(src.path);
    const pad = input.padding;
    const trim = matte.trim && {
      x: Math.max(0, matte.trim.x - pad),
      y: Math.max(0, matte.trim.y - pad),
      w: Math.min(img.width, matte.trim.x + matte.trim.w + pad) - Math.max(0, matte.trim.x - pad),
      h: Math.min(img.height, matte.trim.y + matte.trim.h + pad) - Math.max(0, matte.trim.y - pad),
    };
    const item = { source: src.path, alphaPath, trim, sourceSize: { w: img.width, h: img.height }, padding: pad };
    await ctx.files.write(alphaPath, await encodePng(matte.image), src.field);
    await ctx.files.write(
      alphaPath.replace(/\.png$/, '.json'),
      `${JSON.stringify(
        {
          ...item,
          method: input.method,
          threshold: input.threshold,
          thresholdUsed: matte.thresholdUsed,
          feather: input.feather,
          erode: input.erode,
          removeHoles: input.removeHoles,
          background: matte.background,
        },
        null,
        2,
      )}\n`,
      src.field,
    );
    items.push(item);
  }
  ctx.progress(1, 'done');
  return { alphaPaths: items.map((i) => i.alphaPath), items };
};
