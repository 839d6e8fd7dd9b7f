// Discord's message limits (docs.discord.com: Components, Messages,
// Uploading files), checked on a message body before it is sent. Returns every
// problem with its path; empty means Discord accepts it. Tests run it on every
// message the bot produced; the poster logs any problem.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Component types (API v10). */
export const ComponentType = {
  ActionRow: 1,
  Button: 2,
  StringSelect: 3,
  TextInput: 4,
  Section: 9,
  TextDisplay: 10,
  Thumbnail: 11,
  MediaGallery: 12,
  File: 13,
  Separator: 14,
  Container: 17,
  Label: 18,
} as const;

export const ButtonStyle = { Primary: 1, Secondary: 2, Success: 3, Danger: 4, Link: 5 } as const;

/** Message flags this bot sets. */
export const MessageFlag = { Ephemeral: 1 << 6, IsComponentsV2: 1 << 15 } as const;

export const discordLimits = {
  /** Components in one message, nested ones included (Components V2). */
  components: 40,
  /** Characters of text across all of a V2 message's components. */
  text: 4000,
  /** A legacy message's content. */
  content: 2000,
  legacyRows: 5,
  buttonsPerRow: 5,
  customId: 100,
  buttonLabel: 80,
  selectOptions: 25,
  optionLabel: 100,
  optionValue: 100,
  optionDescription: 100,
  placeholder: 150,
  galleryItems: 10,
  sectionTexts: 3,
  url: 512,
  attachments: 10,
  fileBytes: 10 * 1024 * 1024,
  requestBytes: 25 * 1024 * 1024,
  modalTitle: 45,
} as const;
const L = discordLimits;

/** A file sent with a message: its name (what `attachment://name` refers to) and size. */
export interface OutgoingFile {
  name: string;
  bytes: number;
}

function str(problems: string[], path: string, v: unknown, max: number, required = true): void {
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || v.length === 0) return void problems.push(`${path}: a non-empty string is required`);
  if (v.length > max) problems.push(`${path}: ${v.length} characters, limit ${max}`);
}

interface Walk {
  problems: string[];
  count: number;
  text: number;
  customIds: Map<string, string>;
  media: string[];
}

function customId(w: Walk, path: string, id: unknown): void {
  str(w.problems, `${path}.custom_id`, id, L.customId);
  if (typeof id !== 'string') return;
  const seen = w.customIds.get(id);
  if (seen) w.problems.push(`${path}.custom_id: '${id}' is also used at ${seen}`);
  else w.customIds.set(id, path);
}

function media(w: Walk, path: string, m: unknown): void {
  if (!isObj(m) || typeof m.url !== 'string' || m.url === '') return void w.problems.push(`${path}.url: required`);
  if (m.url.length > L.url) w.problems.push(`${path}.url: ${m.url.length} characters, limit ${L.url}`);
  if (!/^(https?:\/\/|attachment:\/\/)/.test(m.url)) w.problems.push(`${path}.url: must be https://… or attachment://<file name>`);
  w.media.push(m.url);
}

function button(w: Walk, path: string, b: Obj): void {
  const style = b.style;
  if (typeof style !== 'number' || style < 1 || style > 5) w.problems.push(`${path}.style: 1 to 5`);
  if (b.label === undefined && b.emoji === undefined) w.problems.push(`${path}: a button needs a label or an emoji`);
  str(w.problems, `${path}.label`, b.label, L.buttonLabel, false);
  if (style === ButtonStyle.Link) {
    if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) w.problems.push(`${path}.url: a link button needs an http(s) url`);
    else if (b.url.length > L.url) w.problems.push(`${path}.url: ${b.url.length} characters, limit ${L.url}`);
    if (b.custom_id !== undefined) w.problems.push(`${path}.custom_id: a link button has none`);
  } else {
    customId(w, path, b.custom_id);
    if (b.url !== undefined) w.problems.push(`${path}.url: only link buttons (style 5) have one`);
  }
}

function select(w: Walk, path: string, s: Obj): void {
  customId(w, path, s.custom_id);
  str(w.problems, `${path}.placeholder`, s.placeholder, L.placeholder, false);
  const opts = s.options;
  if (!Array.isArray(opts) || opts.length === 0 || opts.length > L.selectOptions)
    return void w.problems.push(`${path}.options: 1 to ${L.selectOptions} options (got ${Array.isArray(opts) ? opts.length : 'none'})`);
  const values = new Set<unknown>();
  opts.forEach((o: unknown, i) => {
    if (!isObj(o)) return void w.problems.push(`${path}.options[${i}]: must be an object`);
    str(w.problems, `${path}.options[${i}].label`, o.label, L.optionLabel);
    str(w.problems, `${path}.options[${i}].value`, o.value, L.optionValue);
    str(w.problems, `${path}.options[${i}].description`, o.description, L.optionDescription, false);
    if (values.has(o.value)) w.problems.push(`${path}.options[${i}].value: repeats`);
    values.add(o.value);
  });
  const min = typeof s.min_values === 'number' ? s.min_values : 1;
  const max = typeof s.max_values === 'number' ? s.max_values : 1;
  if (min < 0 || max < 1 || min > max || max > opts.length)
    w.problems.push(`${path}: min_values ${min} / max_values ${max} do not fit ${opts.length} options`);
}

/** What a container holds; the top level holds the same and containers. */
const inContainer: number[] = [
  ComponentType.ActionRow,
  ComponentType.Section,
  ComponentType.TextDisplay,
  ComponentType.MediaGallery,
  ComponentType.File,
  ComponentType.Separator,
];

function component(w: Walk, path: string, c: unknown, where: 'top' | 'container' | 'row' | 'section' | 'accessory'): void {
  if (!isObj(c)) return void w.problems.push(`${path}: must be an object`);
  w.count++;
  const t = c.type;
  const allowed: Record<typeof where, number[]> = {
    top: [...inContainer, ComponentType.Container],
    container: inContainer,
    row: [ComponentType.Button, ComponentType.StringSelect],
    section: [ComponentType.TextDisplay],
    accessory: [ComponentType.Thumbnail, ComponentType.Button],
  };
  if (typeof t !== 'number' || !allowed[where].includes(t))
    return void w.problems.push(`${path}.type: ${String(t)} is not allowed here (${where})`);
  switch (t) {
    case ComponentType.ActionRow: {
      const inner = c.components;
      if (!Array.isArray(inner) || inner.length === 0)
        return void w.problems.push(`${path}.components: an action row needs 1 to 5 buttons or one select`);
      const selects = inner.filter((x) => isObj(x) && x.type === ComponentType.StringSelect).length;
      if (selects > 0 && inner.length > 1) w.problems.push(`${path}.components: a select menu fills its row alone`);
      if (inner.length > L.buttonsPerRow) w.problems.push(`${path}.components: ${inner.length} buttons, limit ${L.buttonsPerRow} a row`);
      inner.forEach((x, i) => component(w, `${path}.components[${i}]`, x, 'row'));
      return;
    }
    case ComponentType.Button:
      return button(w, path, c);
    case ComponentType.StringSelect:
      return select(w, path, c);
    case ComponentType.TextDisplay:
      if (typeof c.content !== 'string' || c.content === '') return void w.problems.push(`${path}.content: a non-empty string is required`);
      w.text += c.content.length;
      return;
    case ComponentType.Section: {
      const inner = c.components;
      if (!Array.isArray(inner) || inner.length === 0 || inner.length > L.sectionTexts)
        w.problems.push(`${path}.components: 1 to ${L.sectionTexts} text displays`);
      else inner.forEach((x, i) => component(w, `${path}.components[${i}]`, x, 'section'));
      if (c.accessory === undefined) return void w.problems.push(`${path}.accessory: a section needs a thumbnail or a button`);
      return component(w, `${path}.accessory`, c.accessory, 'accessory');
    }
    case ComponentType.Thumbnail:
      return media(w, `${path}.media`, c.media);
    case ComponentType.MediaGallery: {
      const items = c.items;
      if (!Array.isArray(items) || items.length === 0 || items.length > L.galleryItems)
        return void w.problems.push(`${path}.items: 1 to ${L.galleryItems} items (got ${Array.isArray(items) ? items.length : 'none'})`);
      items.forEach((x: unknown, i) => media(w, `${path}.items[${i}].media`, isObj(x) ? x.media : undefined));
      return;
    }
    case ComponentType.File:
      return media(w, `${path}.file`, c.file);
    case ComponentType.Separator:
      return;
    case ComponentType.Container: {
      const inner = c.components;
      if (!Array.isArray(inner) || inner.length === 0)
        return void w.problems.push(`${path}.components: a container needs at least one component`);
      inner.forEach((x, i) => component(w, `${path}.components[${i}]`, x, 'container'));
      return;
    }
  }
}

/**
 * Problems with a message body (create / edit / interaction response data) and the files sent with it.
 * `keep`: attachments already on the message that an edit lists to keep (their names count as present).
 */
export function checkDiscordMessage(body: object, files: OutgoingFile[] = [], keep: string[] = []): string[] {
  const msg = body as Obj;
  const w: Walk = { problems: [], count: 0, text: 0, customIds: new Map(), media: [] };
  const v2 = typeof msg.flags === 'number' && (msg.flags & MessageFlag.IsComponentsV2) !== 0;
  const comps = msg.components ?? [];
  if (!Array.isArray(comps)) return ['components: must be an array'];
  if (v2) {
    if (msg.content !== undefined) w.problems.push('content: not allowed with IsComponentsV2 (use a text display)');
    if (msg.embeds !== undefined) w.problems.push('embeds: not allowed with IsComponentsV2');
    if (comps.length === 0) w.problems.push('components: a V2 message needs at least one component');
    comps.forEach((c, i) => component(w, `components[${i}]`, c, 'top'));
    if (w.count > L.components) w.problems.push(`components: ${w.count} in all, limit ${L.components} (split the message)`);
    if (w.text > L.text) w.problems.push(`components: ${w.text} characters of text, limit ${L.text}`);
  } else {
    str(w.problems, 'content', msg.content, L.content, comps.length > 0);
    if (comps.length > L.legacyRows) w.problems.push(`components: ${comps.length} rows, limit ${L.legacyRows}`);
    comps.forEach((c, i) => {
      if (!isObj(c) || c.type !== ComponentType.ActionRow)
        w.problems.push(`components[${i}]: a message without IsComponentsV2 takes action rows only`);
      else component(w, `components[${i}]`, c, 'top');
    });
  }
  if (files.length > L.attachments) w.problems.push(`files: ${files.length} files, limit ${L.attachments} a message`);
  let total = 0;
  for (const f of files) {
    total += f.bytes;
    if (f.bytes > L.fileBytes) w.problems.push(`files: ${f.name} is ${f.bytes} bytes, limit ${L.fileBytes}`);
  }
  if (total > L.requestBytes) w.problems.push(`files: ${total} bytes in one request, limit ${L.requestBytes}`);
  const names = new Set([...files.map((f) => f.name), ...keep]);
  for (const url of w.media)
    if (url.startsWith('attachment://') && !names.has(url.slice('attachment://'.length)))
      w.problems.push(`${url}: no file of that name is sent (or kept) with the message`);
  return w.problems;
}
