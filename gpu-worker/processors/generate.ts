// generate: N variants of a spec from a provider, each as original PNG,
// thumbnail and metadata (seed, prompt, provider, params), plus one contact
// sheet with numbered labels for the bots to post.
import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { JobInputError } from '../errors.js';
import { contactSheet } from '../image/sheet.js';
import { providerFor } from '../providers/index.js';
import type { Processor } from './types.js';

export const shortTag = (jobId: string) => createHash('sha256').update(jobId).digest('hex').slice(0, 6);

export const generate: Processor<'generate'> = async (input, ctx) => {
  const assetId = input.assetId ?? input.specId ?? `gen-${shortTag(ctx.jobId)}`;
  const tag = shortTag(ctx.jobId);
  const provider = providerFor(input.provider, ctx.settings);
  const workflow = input.workflowPath ? (await ctx.files.read(input.workflowPath, 'workflowPath')).toString('utf8') : undefined;
  if (input.provider === 'comfyui' && !workflow)
    throw new JobInputError('workflowPath', 'the comfyui provider needs a workflow template (API-format JSON) inside the project');
  const base = `files/images/${assetId}`;
  const variants = [];
  const sheetCells = [];
  for (let i = 0; i < input.count; i++) {
    ctx.progress(i / (input.count + 1), `generating variant ${i + 1} of ${input.count}`);
    const req = { ...input, workflow, negativePrompt: input.negativePrompt };
    const img = await provider.generate(req, i);
    const variantId = `${assetId}_${tag}_${i + 1}`;
    const file = `${base}/original/${variantId}.png`;
    const thumbPath = `${base}/thumb/${variantId}.png`;
    const metaPath = `${base}/original/${variantId}.json`;
    const maskPath = img.mask ? `${base}/mask/${variantId}.png` : undefined;
    const thumb = await sharp(img.png).resize(256, 256, { fit: 'inside', withoutEnlargement: true }).png().toBuffer();
    const meta = {
      variantId,
      assetId,
      specId: input.specId ?? null,
      jobId: ctx.jobId,
      provider: provider.name,
      prompt: input.prompt,
      negativePrompt: input.negativePrompt ?? null,
      seed: input.seed,
      index: i,
      width: input.width,
      height: input.height,
      checkpointName: input.checkpointName ?? null,
      loraName: input.loraName ?? null,
      loraNames: input.loraNames ?? (input.loraName ? [input.loraName] : []),
      modelHashes: input.modelHashes ?? {},
      steps: input.steps ?? null,
      sampler: input.sampler ?? null,
      cfg: input.cfg ?? null,
      params: img.params,
      generatedAt: ctx.now().toISOString(),
    };
    await Promise.all([
      ctx.files.write(file, img.png, 'assetId'),
      ctx.files.write(thumbPath, thumb, 'assetId'),
      ctx.files.write(metaPath, `${JSON.stringify(meta, null, 2)}\n`, 'assetId'),
      ...(img.mask && maskPath ? [ctx.files.write(maskPath, img.mask, 'assetId')] : []),
    ]);
    variants.push({ variantId, path: file, thumbPath, metaPath, ...(maskPath ? { maskPath } : {}) });
    sheetCells.push({ png: thumb, label: `#${i + 1}` });
  }
  ctx.progress(input.count / (input.count + 1), 'drawing the contact sheet');
  const sheet = await contactSheet(sheetCells, { cell: 256, title: `${assetId} ${input.prompt}`.trim().slice(0, 60) });
  const contactSheetPath = `${base}/sheets/${tag}.png`;
  await ctx.files.write(contactSheetPath, sheet, 'assetId');
  ctx.progress(1, 'done');
  return {
    assetId,
    variantIds: variants.map((v) => v.variantId),
    originalsDir: path.posix.join(base, 'original'),
    contactSheet: contactSheetPath,
    variants,
  };
};
