// The `/spec add` preview: a wishlist refined into specs, one block per spec
// with its Generate button, then the questions for the lines the refiner could
// not read; and the answer to a Generate press (which rule acts on it, and that
// an admin approves the generation). Sized to fit one message on both
// platforms: Slack's 50 blocks, Discord's 40 components and 4,000 characters.
import type { ApiSpec, FiringNode, Question } from '../../engine/index.js';
import { packLines } from './dry-run.js';
import { actionIds, packValue } from './ids.js';
import type { Block, View } from './view.js';

/** Specs shown with a button (each takes 2 Slack blocks, 3 Discord components); the rest are counted. */
export const MAX_PREVIEW_SPECS = 10;
/** Questions shown; the text they take is capped too, so the preview stays one Discord message. */
export const MAX_PREVIEW_QUESTIONS = 8;
const QUESTIONS_TEXT_LIMIT = 1000;
/** The spec lines' share of Discord's 4,000 characters (long ids make fewer specs fit). */
const SPECS_TEXT_BUDGET = 2400;
const PROMPT_LIMIT = 100;
const NAME_LIMIT = 60;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const shorten = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** Quotes inside code spans would end them early: the views' markup has no escape. */
const plain = (text: string) => text.replace(/[`*]/g, "'");
/** Names, palettes and cameras as a line shows them. */
const short = (text: string) => shorten(plain(text), NAME_LIMIT);

export function specLine(spec: ApiSpec): string {
  const b = spec.body;
  if (!b)
    return `*${short(spec.name || spec.id)}* \`${spec.id}\` · ${spec.assetType} · “${shorten(plain(spec.prompt.positive), PROMPT_LIMIT)}”`;
  const g = b.generationParams;
  const loras = b.loraPolicy.loraIds;
  const looks = [
    b.palette ? `palette ${short(b.palette.name)}` : 'no palette',
    b.camera ? `camera ${short(b.camera)}` : 'no camera',
    loras.length > 0 ? `LoRA \`${loras[0]}\`${loras.length > 1 ? ` (+${loras.length - 1})` : ''}` : 'no LoRA',
  ];
  return [
    `*${short(b.name)}* \`${spec.id}\` · ${b.assetType} · ${g.width}×${g.height} · ${plural(g.variants, 'variant')}`,
    `“${shorten(plain(b.prompt.positive), PROMPT_LIMIT)}”`,
    looks.join(' · '),
  ].join('\n');
}

export const questionLine = (q: Question): string => `line ${q.line} “${shorten(plain(q.text), 200)}”: ${shorten(plain(q.question), 300)}`;

export interface SpecPreviewInput {
  projectId: string;
  specListId: string;
  specs: ApiSpec[];
  questions: Question[];
  /** Who added the list, as the platform mentions them. */
  by: string;
}

export function specPreviewView(input: SpecPreviewInput): View {
  const { projectId, specs, questions } = input;
  const counts = `${plural(specs.length, 'spec')}, ${plural(questions.length, 'question')}`;
  const blocks: Block[] = [
    { kind: 'heading', text: `Spec list ${input.specListId}` },
    {
      kind: 'text',
      text:
        `*${counts}* in \`${projectId}\` — added by ${input.by}. ` +
        (specs.length > 0
          ? 'Press *Generate* on a spec to ask for its variants; generation waits for an admin’s approval.'
          : 'Nothing could be read as an asset yet: answer the questions below.'),
    },
  ];
  let shown = 0;
  let used = 0;
  for (const spec of specs.slice(0, MAX_PREVIEW_SPECS)) {
    const line = specLine(spec);
    if (shown > 0 && used + line.length > SPECS_TEXT_BUDGET) break;
    shown++;
    used += line.length;
    blocks.push({ kind: 'text', text: line });
    blocks.push({
      kind: 'actions',
      controls: [
        { kind: 'button', actionId: actionIds.specGenerate, label: 'Generate', value: packValue(projectId, spec.id), tone: 'primary' },
      ],
    });
  }
  if (specs.length > shown)
    blocks.push({
      kind: 'context',
      text: `…and ${specs.length - shown} more: see \`greenlight spec list --project ${projectId}\` (or \`spec generate <specId>\`).`,
    });
  if (questions.length > 0) {
    const asked = packLines(
      [
        `*Questions* — fix these lines and add them again with \`/spec add\`:`,
        ...questions.slice(0, MAX_PREVIEW_QUESTIONS).map((q) => `• ${questionLine(q)}`),
      ],
      QUESTIONS_TEXT_LIMIT,
    )[0]!;
    const listed = asked.split('\n').length - 1;
    blocks.push({ kind: 'divider' }, { kind: 'text', text: asked });
    if (questions.length > listed)
      blocks.push({
        kind: 'context',
        text: `…and ${questions.length - listed} more questions: the list keeps them all (\`GET /api/projects/${projectId}/spec-lists/${input.specListId}\`).`,
      });
  }
  const fallback = `Spec list ${input.specListId}: ${counts}. ${specs
    .slice(0, 5)
    .map((s) => s.name || s.id)
    .join(', ')}${specs.length > 5 ? ', …' : ''}`;
  return { fallback, blocks };
}

export interface GenerateAnswerInput {
  specId: string;
  name: string;
  count: number;
  eventId: string;
  /** False when this press was already recorded (a retried or duplicated delivery). */
  created: boolean;
  /** The firings the dry-run of the stored event predicts at its root. */
  firings: FiringNode[];
}

/** The answer to a Generate press, from the dry-run of the event it stored: who acts on it, and the admin gate. */
export function generateAnswerView(input: GenerateAnswerInput): View {
  const what = `${plural(input.count, 'variant')} of *${plain(input.name)}* (\`${input.specId}\`)`;
  const head = input.created ? `🎨 Asked for ${what}` : `☑️ Already asked for ${what}`;
  const fire = input.firings.filter((f) => f.decision === 'fire');
  const gated = fire.filter((f) => f.approval?.required);
  const names = (fs: FiringNode[]) => fs.map((f) => `'${plain(f.ruleName)}'`).join(', ');
  const others = fire.filter((f) => !f.approval?.required);
  let text: string;
  if (gated.length > 0)
    text =
      `${head}: ${gated.length === 1 ? 'rule' : 'rules'} ${names(gated)} will generate them once an admin approves.` +
      (others.length > 0 ? ` Also acting on it: ${names(others)}.` : '');
  else if (fire.length > 0) text = `${head}: ${fire.length === 1 ? 'rule' : 'rules'} ${names(fire)} acts on it now, no approval asked.`;
  else {
    const skipped = input.firings.filter((f) => f.decision === 'skip');
    const why = (f: FiringNode) => `'${plain(f.ruleName)}' is skipped (${f.reason ?? 'skip'}${f.detail ? `: ${plain(f.detail)}` : ''})`;
    text =
      skipped.length > 0
        ? `${head}. No rule acts on it now: ${skipped.map(why).join('; ')}.`
        : `${head}. No enabled rule acts on spec.generate_requested yet: a lead adds one that enqueues generate with ` +
          '`{"specId": "${event.payload.specId}", "count": "${event.payload.count}"}` (README, Specs); the request is kept.';
  }
  return {
    fallback: text,
    blocks: [
      { kind: 'text', text },
      { kind: 'context', text: `event \`${input.eventId}\`` },
    ],
  };
}
