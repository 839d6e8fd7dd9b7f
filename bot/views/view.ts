// Platform-neutral views: what a message shows, as data. bot/slack and
// bot/discord each render a View into their platform's JSON; nothing here
// knows either platform. Text uses *bold* and `code` only.

/** A file inside a project's folder that the platform uploads and shows. */
export interface FileRef {
  projectId: string;
  /** Project-relative path, e.g. files/images/hero/thumb/hero_a_1.png */
  path: string;
}

export interface Confirm {
  title: string;
  text: string;
  confirm: string;
  deny: string;
}

export interface ButtonView {
  kind: 'button';
  actionId: string;
  label: string;
  value: string;
  tone?: 'primary' | 'danger';
  confirm?: Confirm;
}

export interface LinkView {
  kind: 'link';
  actionId: string;
  label: string;
  url: string;
}

export interface SelectView {
  kind: 'select';
  actionId: string;
  placeholder: string;
  options: { label: string; value: string }[];
}

export type Control = ButtonView | LinkView | SelectView;

export type Block =
  | { kind: 'heading'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'fields'; fields: { label: string; value: string }[] }
  | { kind: 'image'; file: FileRef; alt: string }
  | { kind: 'actions'; id?: string; controls: Control[] }
  | { kind: 'context'; text: string }
  | { kind: 'divider' };

export interface View {
  /** Plain text for notifications and clients that show no blocks. */
  fallback: string;
  blocks: Block[];
}

/** A short, plain reply (usage help, refusals, confirmations). */
export function textView(text: string): View {
  return { fallback: text, blocks: [{ kind: 'text', text }] };
}

export const when = (ms: number | null | undefined): string =>
  ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—';

/** Chat users are stored as `slack:U123`; show them as the platform mentions them. */
export function who(actor: string | null | undefined): string {
  if (!actor) return 'nobody';
  const m = /^(?:chat:)?(slack|discord):([A-Za-z0-9]+)$/.exec(actor);
  if (m) return `<@${m[2]}>`; // both platforms mention a user this way
  return actor;
}
