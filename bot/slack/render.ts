// View → Block Kit. Pure: a view and the Slack file ids of its images in,
// message JSON out, so every message can be checked against Slack's limits.
import type { Block, Control, View } from '../views/view.js';

export type SlackBlock = Record<string, unknown>;
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: clip(text, max), emoji: true });
const mrkdwn = (text: string, max = 3000) => ({ type: 'mrkdwn', text: clip(text, max) });
export const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function control(c: Control): SlackBlock {
  switch (c.kind) {
    case 'button':
      return {
        type: 'button',
        action_id: c.actionId,
        text: plain(c.label, 75),
        value: c.value,
        ...(c.tone ? { style: c.tone } : {}),
        ...(c.confirm
          ? {
              confirm: {
                title: plain(c.confirm.title, 100),
                text: plain(c.confirm.text, 300),
                confirm: plain(c.confirm.confirm, 30),
                deny: plain(c.confirm.deny, 30),
              },
            }
          : {}),
      };
    case 'link':
      return { type: 'button', action_id: c.actionId, text: plain(c.label, 75), url: c.url };
    case 'select':
      return {
        type: 'static_select',
        action_id: c.actionId,
        placeholder: plain(c.placeholder, 150),
        options: c.options.slice(0, 100).map((o) => ({ text: plain(o.label, 75), value: o.value })),
      };
  }
}

function block(b: Block, fileIds: ReadonlyMap<string, string>): SlackBlock | null {
  switch (b.kind) {
    case 'heading':
      return { type: 'header', text: plain(b.text, 150) };
    case 'text':
      return { type: 'section', text: mrkdwn(b.text) };
    case 'fields':
      return { type: 'section', fields: b.fields.slice(0, 10).map((f) => mrkdwn(`*${f.label}*\n${f.value}`, 2000)) };
    case 'image': {
      const id = fileIds.get(b.file.path);
      // Local files have no public URL: an image is shown only once it was uploaded to Slack.
      return id ? { type: 'image', slack_file: { id }, alt_text: clip(b.alt, 2000) } : null;
    }
    case 'actions':
      return { type: 'actions', ...(b.id ? { block_id: b.id } : {}), elements: b.controls.slice(0, 25).map(control) };
    case 'context':
      return { type: 'context', elements: [mrkdwn(b.text)] };
    case 'divider':
      return { type: 'divider' };
  }
}

export function renderMessage(view: View, fileIds: ReadonlyMap<string, string> = new Map()): SlackMessage {
  const blocks = view.blocks.map((b) => block(b, fileIds)).filter((b): b is SlackBlock => b !== null);
  return { text: clip(view.fallback, 3000), blocks: blocks.slice(0, 50) };
}

/** The emergency-halt dialog: a reason, then Halt. Submitting it is the confirmation. */
export function haltDialog(projectId: string, callbackId: string): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: callbackId,
    private_metadata: projectId,
    title: plain('Emergency halt', 24),
    submit: plain('Halt now', 24),
    close: plain('Cancel', 24),
    blocks: [
      {
        type: 'section',
        text: mrkdwn(
          `Stops all automation of \`${projectId}\`: no rule fires, new firings are held and in-flight jobs finish. Resume replays what was held.`,
        ),
      },
      {
        type: 'input',
        block_id: 'reason',
        label: plain('Reason', 2000),
        element: { type: 'plain_text_input', action_id: 'reason', max_length: 500, placeholder: plain('Why automation must stop', 150) },
      },
    ],
  };
}
