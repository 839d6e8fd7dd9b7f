// Block Kit limits (docs.slack.dev reference/block-kit), checked on a message
// or modal. Returns every problem with its path; empty means Slack accepts it.
// Tests run it on everything the bot sends; the poster logs any problem.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const blockKitLimits = {
  messageBlocks: 50,
  modalBlocks: 100,
  messageText: 40000,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  actionId: 255,
  blockId: 255,
  buttonValue: 2000,
  url: 3000,
  options: 100,
  optionText: 75,
  optionValue: 150,
  placeholder: 150,
  altText: 2000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;
const L = blockKitLimits;

function text(problems: string[], path: string, t: unknown, max: number, kind?: 'plain_text' | 'mrkdwn'): void {
  if (!isObj(t) || typeof t.text !== 'string') return void problems.push(`${path}: a text object with a string .text is required`);
  if (t.type !== 'plain_text' && t.type !== 'mrkdwn') problems.push(`${path}.type: must be plain_text or mrkdwn`);
  if (kind && t.type !== kind) problems.push(`${path}.type: must be ${kind}`);
  if (t.text.length === 0) problems.push(`${path}.text: must not be empty`);
  if (t.text.length > max) problems.push(`${path}.text: ${t.text.length} characters, limit ${max}`);
}

function str(problems: string[], path: string, v: unknown, max: number, required = true): void {
  if (v === undefined && !required) return;
  if (typeof v !== 'string' || v.length === 0) return void problems.push(`${path}: a non-empty string is required`);
  if (v.length > max) problems.push(`${path}: ${v.length} characters, limit ${max}`);
}

function element(problems: string[], path: string, e: unknown): void {
  if (!isObj(e)) return void problems.push(`${path}: must be an object`);
  str(problems, `${path}.action_id`, e.action_id, L.actionId, false);
  if (e.type === 'button') {
    text(problems, `${path}.text`, e.text, L.buttonText, 'plain_text');
    str(problems, `${path}.value`, e.value, L.buttonValue, false);
    str(problems, `${path}.url`, e.url, L.url, false);
    if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger') problems.push(`${path}.style: primary or danger only`);
    if (e.confirm !== undefined) {
      const c = e.confirm as Obj;
      text(problems, `${path}.confirm.title`, c.title, L.confirmTitle, 'plain_text');
      text(problems, `${path}.confirm.text`, c.text, L.confirmText);
      text(problems, `${path}.confirm.confirm`, c.confirm, L.confirmButton, 'plain_text');
      text(problems, `${path}.confirm.deny`, c.deny, L.confirmButton, 'plain_text');
    }
  } else if (e.type === 'static_select' || e.type === 'overflow' || e.type === 'multi_static_select') {
    if (e.placeholder !== undefined) text(problems, `${path}.placeholder`, e.placeholder, L.placeholder, 'plain_text');
    const opts = e.options;
    if (!Array.isArray(opts) || opts.length === 0) return void problems.push(`${path}.options: 1 to ${L.options} options required`);
    if (opts.length > (e.type === 'overflow' ? 5 : L.options))
      problems.push(`${path}.options: ${opts.length} options, limit ${e.type === 'overflow' ? 5 : L.options}`);
    opts.forEach((o, i) => {
      text(problems, `${path}.options[${i}].text`, (o as Obj).text, L.optionText);
      str(problems, `${path}.options[${i}].value`, (o as Obj).value, L.optionValue);
    });
  } else if (e.type === 'plain_text_input') {
    // nothing beyond action_id
  } else if (e.type === 'image') {
    str(problems, `${path}.alt_text`, e.alt_text, L.altText);
  } else if (e.type !== 'plain_text' && e.type !== 'mrkdwn') problems.push(`${path}.type: unexpected element type ${String(e.type)}`);
}

function block(problems: string[], path: string, b: unknown): void {
  if (!isObj(b)) return void problems.push(`${path}: must be an object`);
  str(problems, `${path}.block_id`, b.block_id, L.blockId, false);
  switch (b.type) {
    case 'section': {
      if (b.text === undefined && b.fields === undefined) problems.push(`${path}: a section needs text or fields`);
      if (b.text !== undefined) text(problems, `${path}.text`, b.text, L.sectionText);
      if (b.fields !== undefined) {
        const f = b.fields as unknown[];
        if (!Array.isArray(f) || f.length > L.sectionFields) problems.push(`${path}.fields: at most ${L.sectionFields}`);
        else f.forEach((x, i) => text(problems, `${path}.fields[${i}]`, x, L.fieldText));
      }
      if (b.accessory !== undefined) element(problems, `${path}.accessory`, b.accessory);
      return;
    }
    case 'header':
      return text(problems, `${path}.text`, b.text, L.headerText, 'plain_text');
    case 'context': {
      const els = b.elements as unknown[];
      if (!Array.isArray(els) || els.length === 0 || els.length > L.contextElements)
        return void problems.push(`${path}.elements: 1 to ${L.contextElements}`);
      els.forEach((e, i) =>
        (e as Obj).type === 'image'
          ? element(problems, `${path}.elements[${i}]`, e)
          : text(problems, `${path}.elements[${i}]`, e, L.sectionText),
      );
      return;
    }
    case 'actions': {
      const els = b.elements as unknown[];
      if (!Array.isArray(els) || els.length === 0) return void problems.push(`${path}.elements: at least one element`);
      if (els.length > L.actionsElements) problems.push(`${path}.elements: ${els.length} elements, limit ${L.actionsElements}`);
      const ids = new Set<string>();
      els.forEach((e, i) => {
        element(problems, `${path}.elements[${i}]`, e);
        const id = (e as Obj).action_id;
        if (typeof id === 'string') {
          if (ids.has(id)) problems.push(`${path}.elements[${i}].action_id: '${id}' repeats in one block`);
          ids.add(id);
        }
      });
      return;
    }
    case 'image': {
      str(problems, `${path}.alt_text`, b.alt_text, L.altText);
      const file = b.slack_file as Obj | undefined;
      if (!(typeof b.image_url === 'string' || (isObj(file) && (typeof file.id === 'string' || typeof file.url === 'string'))))
        problems.push(`${path}: an image needs image_url or slack_file`);
      return;
    }
    case 'input':
      text(problems, `${path}.label`, b.label, 2000, 'plain_text');
      return element(problems, `${path}.element`, b.element);
    case 'divider':
      return;
    default:
      problems.push(`${path}.type: unknown block type ${String(b.type)}`);
  }
}

/** Problems with a chat message (postMessage / update / postEphemeral / respond body). */
export function checkMessage(msg: { text?: unknown; blocks?: unknown }): string[] {
  const problems: string[] = [];
  if (msg.blocks === undefined) {
    str(problems, 'text', msg.text, L.messageText);
    return problems;
  }
  if (!Array.isArray(msg.blocks)) return ['blocks: must be an array'];
  if (msg.blocks.length > L.messageBlocks) problems.push(`blocks: ${msg.blocks.length} blocks, limit ${L.messageBlocks}`);
  if (typeof msg.text === 'string' && msg.text.length > L.messageText) problems.push(`text: over ${L.messageText}`);
  msg.blocks.forEach((b, i) => block(problems, `blocks[${i}]`, b));
  const ids = msg.blocks.map((b) => (b as Obj).block_id).filter((x) => typeof x === 'string');
  if (new Set(ids).size !== ids.length) problems.push('blocks: block_id values repeat');
  return problems;
}

/** Problems with a modal view (views.open / update). */
export function checkModal(view: Obj): string[] {
  const problems: string[] = [];
  if (view.type !== 'modal') problems.push('type: must be modal');
  text(problems, 'title', view.title, L.modalTitle, 'plain_text');
  if (view.submit !== undefined) text(problems, 'submit', view.submit, L.modalButton, 'plain_text');
  if (view.close !== undefined) text(problems, 'close', view.close, L.modalButton, 'plain_text');
  str(problems, 'callback_id', view.callback_id, L.callbackId, false);
  str(problems, 'private_metadata', view.private_metadata, L.privateMetadata, false);
  const blocks = view.blocks as unknown[];
  if (!Array.isArray(blocks) || blocks.length > L.modalBlocks) problems.push(`blocks: 0 to ${L.modalBlocks}`);
  else blocks.forEach((b, i) => block(problems, `blocks[${i}]`, b));
  return problems;
}
