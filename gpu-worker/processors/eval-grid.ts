// eval_grid (the seed's run_eval_grid): prompts × LoRAs × checkpoints, one
// image per cell from the same seed, and one labelled comparison sheet — rows
// are prompts, columns the LoRA / checkpoint combinations.
import { JobInputError } from '../errors.js';
import { contactSheet } from '../image/sheet.js';
import { providerFor } from '../providers/index.js';
import { shortTag } from './generate.js';
import type { Processor } from './types.js';

export const evalGrid: Processor<'eval_grid'> = async (input, ctx) => {
  const loras: (string | null)[] = input.loraIds?.length ? input.loraIds : input.loraId ? [input.loraId] : [null];
  const ckpts: (string | null)[] = input.checkpointIds?.length ? input.checkpointIds : input.checkpointId ? [input.checkpointId] : [null];
  const combos = ckpts.flatMap((checkpoint) => loras.map((lora) => ({ checkpoint, lora })));
  const total = input.prompts.length * combos.length;
  if (total > 256) throw new JobInputError('prompts', `${total} cells is more than 256; split the grid`);
  const provider = providerFor(input.provider, ctx.settings);
  const workflow = input.workflowPath ? (await ctx.files.read(input.workflowPath, 'workflowPath')).toString('utf8') : undefined;
  const evalId = input.releaseId ?? `eval-${shortTag(ctx.jobId)}`;
  const dir = `files/evals/${evalId}`;
  const cells = [];
  const sheetCells = [];
  for (const [p, prompt] of input.prompts.entries())
    for (const [c, combo] of combos.entries()) {
      const n = cells.length;
      ctx.progress(n / (total + 1), `cell ${n + 1} of ${total}`);
      // The procedural provider draws from the prompt text: the LoRA / checkpoint names join it so cells differ.
      const text = input.provider === 'procedural' ? [prompt, combo.lora, combo.checkpoint].filter(Boolean).join(' | ') : prompt;
      const img = await provider.generate(
        {
          prompt: text,
          seed: input.seed,
          width: input.size,
          height: input.size,
          background: 'plain',
          writeMasks: false,
          loraName: combo.lora ?? undefined,
          checkpointName: combo.checkpoint ?? undefined,
          workflow,
        },
        0,
      );
      const file = `${dir}/p${p + 1}-c${c + 1}.png`;
      await ctx.files.write(file, img.png, 'releaseId');
      // Named, not numbered: the prompt, then the LoRA and checkpoint it was drawn with (or "base").
      const label = `${prompt}\n${[combo.lora, combo.checkpoint].filter(Boolean).join(' + ') || 'base'}`;
      cells.push({ prompt, lora: combo.lora, checkpoint: combo.checkpoint, path: file, label });
      sheetCells.push({ png: img.png, label });
    }
  ctx.progress(total / (total + 1), 'drawing the comparison sheet');
  const sheetPath = `${dir}/sheet.png`;
  await ctx.files.write(
    sheetPath,
    await contactSheet(sheetCells, { cell: Math.min(256, input.size), columns: combos.length, title: `EVAL ${evalId}` }),
    'releaseId',
  );
  await ctx.files.write(
    `${dir}/grid.json`,
    `${JSON.stringify({ evalId, seed: input.seed, prompts: input.prompts, combos, cells }, null, 2)}\n`,
    'releaseId',
  );
  ctx.progress(1, 'done');
  return { sheetPath, cells };
};
