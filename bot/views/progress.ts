// A chain's progress in the asset's thread, edited as steps finish:
// bg removal ✓ → packing ✓ → export ✓, then the atlas preview and the bundle.
import type { Block, FileRef, View } from './view.js';

export interface ChainStep {
  label: string;
  status: 'running' | 'succeeded' | 'failed' | 'waiting';
}

const mark: Record<ChainStep['status'], string> = { running: '…', succeeded: '✓', failed: '✗', waiting: '⏸' };

export const stepLabel: Record<string, string> = {
  bg_remove: 'bg removal',
  pack_atlas: 'packing',
  export: 'export',
  generate: 'generation',
  eval_grid: 'eval grid',
};

export function progressView(p: {
  subject: string;
  steps: ChainStep[];
  atlasPreview: FileRef | null;
  bundlePath: string | null;
  failed: string | null;
}): View {
  const line = p.steps.map((s) => `${s.label} ${mark[s.status]}`).join(' → ') || 'starting…';
  const blocks: Block[] = [{ kind: 'text', text: `*Automation for ${p.subject}*: ${line}` }];
  if (p.failed) blocks.push({ kind: 'context', text: `Failed: ${p.failed}` });
  if (p.atlasPreview) blocks.push({ kind: 'image', file: p.atlasPreview, alt: 'atlas preview' });
  if (p.bundlePath) blocks.push({ kind: 'context', text: `Bundle: \`${p.bundlePath}\`` });
  return { fallback: `Automation for ${p.subject}: ${line}`, blocks };
}
