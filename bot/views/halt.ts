// The pinned emergency-halt panel: the current state, and the one button
// that matters (halt, or resume once halted).
import { actionIds } from './ids.js';
import { when, who, type Block, type View } from './view.js';

export interface HaltFacts {
  scope: 'global' | 'project' | 'rule';
  ruleId: string | null;
  reason: string;
  createdBy: string;
  createdAt: number;
  held: number;
}

export function haltPanel(projectId: string, active: HaltFacts[]): View {
  const blocks: Block[] = [{ kind: 'heading', text: `Automation: ${projectId}` }];
  const whole = active.filter((h) => h.scope !== 'rule');
  if (active.length === 0) {
    blocks.push({ kind: 'text', text: '🟢 Running. Rules fire and jobs run.' });
  } else {
    const shown = 10;
    if (active.length > shown) blocks.push({ kind: 'context', text: `${active.length} halts are active; the ${shown} oldest are listed.` });
    for (const h of active.slice(0, shown)) {
      const what = h.scope === 'global' ? 'Everything' : h.scope === 'project' ? 'This project' : `Rule \`${h.ruleId}\``;
      blocks.push({
        kind: 'text',
        text: `🛑 *${what} is halted* by ${who(h.createdBy)} at ${when(h.createdAt)}\nReason: ${h.reason}\nHeld firings: ${h.held}`,
      });
    }
  }
  const halted = whole.length > 0;
  blocks.push({
    kind: 'actions',
    controls: halted
      ? [
          {
            kind: 'button',
            actionId: actionIds.resume,
            label: 'Resume',
            value: projectId,
            tone: 'primary',
            confirm: { title: 'Resume automation?', text: 'Held firings are replayed in order.', confirm: 'Resume', deny: 'Cancel' },
          },
        ]
      : [{ kind: 'button', actionId: actionIds.haltOpen, label: 'Emergency halt', value: projectId, tone: 'danger' }],
  });
  return { fallback: halted ? `Automation for ${projectId} is halted` : `Automation for ${projectId} is running`, blocks };
}
