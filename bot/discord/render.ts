// View → Discord Components V2. Pure: a view and a way to name controls in,
// message bodies out (as many as the view needs: a message holds at most 40
// components and 4,000 characters of text), so every one can be checked
// against Discord's limits before it is sent.
import path from 'node:path';
import type { Block, Control, FileRef, View } from '../views/view.js';
import { ButtonStyle, ComponentType, discordLimits as L, MessageFlag } from './limits.js';

type Obj = Record<string, unknown>;

/** A message body and the project files it uploads (each referenced as attachment://<name>). */
export interface DiscordMessage {
  flags: number;
  components: Obj[];
  files: { name: string; file: FileRef }[];
}

/** The opaque custom_id a control carries for an action id and its value (the engine keeps the pair). */
export type ControlIds = (actionId: string, value: string) => string;

export const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The views' markup (Slack's: *bold*, `code`) as Discord markdown (**bold**). */
export function markdown(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/(^|[^*\w])\*([^*\n]+)\*(?=[^*\w]|$)/g, '$1**$2**')))
    .join('');
}

const display = (content: string, max = 3000): Obj => ({ type: ComponentType.TextDisplay, content: clip(content, max) });

function button(c: Control, ids: ControlIds, value?: string): Obj {
  if (c.kind === 'link') return { type: ComponentType.Button, style: ButtonStyle.Link, label: clip(c.label, L.buttonLabel), url: c.url };
  if (c.kind === 'select') {
    const options = c.options
      .slice(0, L.selectOptions)
      .map((o) => ({ label: clip(o.label, L.optionLabel), value: clip(o.value, L.optionValue) }));
    return {
      type: ComponentType.StringSelect,
      custom_id: ids(c.actionId, value ?? ''),
      placeholder: clip(c.placeholder, L.placeholder),
      options,
    };
  }
  const style = c.tone === 'primary' ? ButtonStyle.Success : c.tone === 'danger' ? ButtonStyle.Danger : ButtonStyle.Secondary;
  return { type: ComponentType.Button, style, label: clip(c.label, L.buttonLabel), custom_id: ids(c.actionId, c.value) };
}

/** Action rows for a block of controls: buttons five to a row, each select menu in a row of its own. */
function rows(controls: Control[], ids: ControlIds, blockId?: string): Obj[] {
  const out: Obj[] = [];
  let row: Obj[] = [];
  const flush = () => {
    if (row.length > 0) out.push({ type: ComponentType.ActionRow, components: row });
    row = [];
  };
  for (const c of controls) {
    if (c.kind === 'select') {
      flush();
      out.push({ type: ComponentType.ActionRow, components: [button(c, ids, blockId)] });
      continue;
    }
    if (row.length === L.buttonsPerRow) flush();
    row.push(button(c, ids));
  }
  flush();
  return out;
}

/** Count a component and everything inside it, as Discord does. */
export function countComponents(c: Obj): number {
  let n = 1;
  for (const inner of (c.components as Obj[] | undefined) ?? []) n += countComponents(inner);
  if (c.accessory) n += countComponents(c.accessory as Obj);
  return n;
}
const textOf = (c: Obj): number =>
  (typeof c.content === 'string' ? c.content.length : 0) +
  ((c.components as Obj[] | undefined) ?? []).reduce((s, x) => s + textOf(x), 0) +
  (c.accessory ? textOf(c.accessory as Obj) : 0);

/** One block's components, with the files they show. */
interface Piece {
  components: Obj[];
  files: { name: string; file: FileRef }[];
}

export function renderDiscord(view: View, ids: ControlIds, options: { ephemeral?: boolean; accent?: number } = {}): DiscordMessage[] {
  const pieces: Piece[] = [];
  let fileNo = 0;
  const attach = (file: FileRef) => {
    const name = `${++fileNo}_${path.basename(file.path).replace(/[^A-Za-z0-9_.-]/g, '_')}`.slice(0, 100);
    return { name, ref: { name, file } };
  };
  const blocks = view.blocks;
  for (let i = 0; i < blocks.length; i++) {
    const b: Block = blocks[i]!;
    switch (b.kind) {
      case 'heading':
        pieces.push({ components: [display(`## ${markdown(b.text)}`, 300)], files: [] });
        break;
      case 'text': {
        // A card's text with one image right after it: a section with the image as its thumbnail.
        const next = blocks[i + 1];
        const after = blocks[i + 2];
        if (next?.kind === 'image' && after?.kind !== 'image') {
          const a = attach(next.file);
          pieces.push({
            components: [
              {
                type: ComponentType.Section,
                components: [display(markdown(b.text))],
                accessory: { type: ComponentType.Thumbnail, media: { url: `attachment://${a.name}` }, description: clip(next.alt, 1024) },
              },
            ],
            files: [a.ref],
          });
          i++;
        } else pieces.push({ components: [display(markdown(b.text))], files: [] });
        break;
      }
      case 'fields':
        pieces.push({ components: [display(b.fields.map((f) => `**${f.label}**: ${markdown(f.value)}`).join('\n'))], files: [] });
        break;
      case 'image': {
        // Consecutive images share one gallery (at most 10 items).
        const run: FileRef[] = [b.file];
        while (blocks[i + 1]?.kind === 'image' && run.length < L.galleryItems) run.push((blocks[++i] as { file: FileRef }).file);
        const attached = run.map(attach);
        pieces.push({
          components: [{ type: ComponentType.MediaGallery, items: attached.map((a) => ({ media: { url: `attachment://${a.name}` } })) }],
          files: attached.map((a) => a.ref),
        });
        break;
      }
      case 'actions':
        pieces.push({ components: rows(b.controls, ids, b.id), files: [] });
        break;
      case 'context':
        pieces.push({ components: [display(`-# ${markdown(b.text)}`)], files: [] });
        break;
      case 'divider':
        pieces.push({ components: [{ type: ComponentType.Separator }], files: [] });
        break;
    }
  }
  // Pack pieces into messages: each one container, under the component, text and file limits.
  const messages: DiscordMessage[] = [];
  let cur: Piece = { components: [], files: [] };
  let count = 1;
  let text = 0;
  const flush = () => {
    if (cur.components.length === 0) return;
    messages.push({
      flags: MessageFlag.IsComponentsV2 | (options.ephemeral ? MessageFlag.Ephemeral : 0),
      components: [
        {
          type: ComponentType.Container,
          ...(options.accent !== undefined ? { accent_color: options.accent } : {}),
          components: cur.components,
        },
      ],
      files: cur.files,
    });
    cur = { components: [], files: [] };
    count = 1;
    text = 0;
  };
  for (const p of pieces) {
    const n = p.components.reduce((s, c) => s + countComponents(c), 0);
    const t = p.components.reduce((s, c) => s + textOf(c), 0);
    if (count + n > L.components || text + t > L.text || cur.files.length + p.files.length > L.attachments) flush();
    cur.components.push(...p.components);
    cur.files.push(...p.files);
    count += n;
    text += t;
  }
  flush();
  if (messages.length === 0)
    messages.push({
      flags: MessageFlag.IsComponentsV2 | (options.ephemeral ? MessageFlag.Ephemeral : 0),
      components: [display(clip(view.fallback, 2000) || '…')],
      files: [],
    });
  return messages;
}
