// The built-in refiner: a wishlist in plain text → one AssetSpec per asset, read
// against the project's catalog. Deterministic (the same text and catalog give the
// same specs) and pure. Each line (or `;`-separated item) names a count, an asset
// type, and optionally a size, a palette, a camera and tags; what it cannot read
// becomes a question on the list, never a guess. Only plain string scans and short,
// anchored patterns on bounded input (the line length is capped) run here.
import { createHash } from 'node:crypto';
import type { AssetType, Catalog } from './catalog.js';
import { suggestModels } from './generation.js';
import type { AssetSpec, Question, RefinerOutput, SpecListInput } from './spec.js';

const MAX_LINE = 500;
const MAX_COUNT = 20;
const numberWords: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  single: 1,
  two: 2,
  pair: 2,
  couple: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  dozen: 12,
};
/** Camera phrases and what a spec records for them. */
const cameras: [phrase: string, camera: string][] = [
  ['three-quarter view', 'three-quarter view'],
  ['three quarter view', 'three-quarter view'],
  ['3/4 view', 'three-quarter view'],
  ['side view', 'side view'],
  ['side-view', 'side view'],
  ['profile view', 'side view'],
  ['front view', 'front view'],
  ['front-facing', 'front view'],
  ['back view', 'back view'],
  ['rear view', 'back view'],
  ['top-down', 'top-down'],
  ['top down', 'top-down'],
  ['overhead', 'top-down'],
  ["bird's-eye", 'top-down'],
  ['isometric', 'isometric'],
];
const filler = new Set(['of', 'with', 'and', 'in', 'for', 'the', 'x', 'each', 'px', 'pixels', 'palette', 'colors', 'colours', 'view']);

/** The words of a line, lower case, with their positions (so a matched phrase can be cut out). */
const tokens = (s: string): string[] => [...(s.toLowerCase().match(/[a-z0-9#/'-]+|[×x]/g) ?? [])];

/** Whether `phrase` (words) occurs in `words` at i, and how many words it spans. */
function phraseAt(words: string[], i: number, phrase: string[]): boolean {
  return phrase.every((w, k) => words[i + k] === w);
}
function findPhrase(words: string[], phrases: string[][]): { at: number; len: number; phrase: string[] } | null {
  let best: { at: number; len: number; phrase: string[] } | null = null;
  for (let i = 0; i < words.length; i++)
    for (const p of phrases) if (p.length > (best?.len ?? 0) && phraseAt(words, i, p)) best = { at: i, len: p.length, phrase: p };
  return best;
}

/** Every way a wishlist may name a type: its id, name, their plurals, and its aliases. */
function typeNames(t: AssetType): string[][] {
  const base = [t.id.replace(/[_-]/g, ' '), t.name, ...t.aliases].map((s) => s.toLowerCase().trim()).filter(Boolean);
  const plurals = (s: string) =>
    /(s|x|ch|sh)$/.test(s) ? [`${s}es`] : /[^aeiou]y$/.test(s) ? [`${s.slice(0, -1)}ies`] : /o$/.test(s) ? [`${s}s`, `${s}es`] : [`${s}s`];
  return [...new Set(base.flatMap((s) => [s, ...plurals(s)]))].map((s) => s.split(/\s+/));
}

const seedOf = (text: string) => createHash('sha256').update(text).digest().readUInt32BE(0) & 0x7fffffff;
const sentence = (parts: (string | null | undefined)[]) => parts.filter((p) => p && p.trim()).join(', ');

interface Read {
  count: number;
  type: AssetType;
  subject: string;
  size: { width: number; height: number } | null;
  palette: Catalog['palettes'][number] | null;
  camera: string | null;
  tags: string[];
}

/** One item of the wishlist: what it asks for, or the questions it raises. */
function readItem(line: string, catalog: Catalog): Read | Omit<Question, 'line' | 'text'>[] {
  const questions: Omit<Question, 'line' | 'text'>[] = [];
  let words = tokens(line);
  const cut = (at: number, len: number) => {
    words = [...words.slice(0, at), ...words.slice(at + len)];
  };

  // Count: "3 knights", "3x knight", "x3", "three knights", "a pair of …", "a dozen …".
  let count = 1;
  const lead = words[0];
  if (lead !== undefined && /^\d+x?$/.test(lead)) {
    count = parseInt(lead, 10);
    cut(0, 1);
  } else if (lead !== undefined && lead in numberWords) {
    count = numberWords[lead]!;
    cut(0, 1);
    if ((words[0] === 'pair' || words[0] === 'couple' || words[0] === 'dozen') && count === 1) {
      count = numberWords[words[0]]!;
      cut(0, 1);
    }
  }
  // Size: "64 px", "64px", "128x96", "128 x 96 px", "64 pixels".
  let size: Read['size'] = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const pair = /^(\d+)[x×](\d+)(px)?$/.exec(w);
    if (pair) {
      size = { width: +pair[1]!, height: +pair[2]! };
      cut(i, 1 + Number(words[i + 1] === 'px'));
      break;
    }
    if (/^\d+$/.test(w) && (words[i + 1] === 'x' || words[i + 1] === '×') && /^\d+(px)?$/.test(words[i + 2] ?? '')) {
      size = { width: +w, height: parseInt(words[i + 2]!, 10) };
      cut(i, 3 + Number(words[i + 3] === 'px' || words[i + 3] === 'pixels'));
      break;
    }
    const px = /^(\d+)px$/.exec(w) ?? (/^\d+$/.test(w) && (words[i + 1] === 'px' || words[i + 1] === 'pixels') ? [w, w] : null);
    if (px) {
      size = { width: +px[1]!, height: +px[1]! };
      cut(i, /px$/.test(w) ? 1 : 2);
      break;
    }
  }
  if (size && [size.width, size.height].some((d) => d < 16 || d > 2048)) {
    questions.push({ field: 'size', question: `What size? ${size.width}×${size.height} px is outside 16-2048 px.` });
    size = null;
  }

  // …and a trailing count: "sword x4", "x 4" (after the size, so "256 × 256" stays a size).
  const times = words.findIndex((w, i) => /^[x×]\d+$/.test(w) || ((w === 'x' || w === '×') && /^\d+$/.test(words[i + 1] ?? '')));
  if (times >= 0) {
    const w = words[times]!;
    count = /^\d/.test(w.slice(1)) ? parseInt(w.slice(1), 10) : parseInt(words[times + 1]!, 10);
    cut(times, /^\d/.test(w.slice(1)) ? 1 : 2);
  }
  if (count < 1 || count > MAX_COUNT)
    questions.push({ field: 'count', question: `How many? ${count} is outside 1-${MAX_COUNT} per line; split it over several lines.` });

  // Camera.
  let camera: string | null = null;
  const cam = findPhrase(
    words,
    cameras.map(([p]) => tokens(p)),
  );
  if (cam) {
    camera = cameras.find(([p]) => tokens(p).join(' ') === cam.phrase.join(' '))![1];
    cut(cam.at, cam.len);
  }

  // Palette: "warm palette", "palette warm", "palette: warm" — by id, name or alias; an unknown one is a question.
  let palette: Read['palette'] = null;
  const at = words.indexOf('palette');
  if (at >= 0) {
    const byName = (w: string | undefined) =>
      w === undefined
        ? undefined
        : catalog.palettes.find((p) =>
            [p.id, p.name, ...p.aliases].some((n) => n.toLowerCase() === w || n.toLowerCase().split(/\s+/).join('-') === w),
          );
    const before = words[at - 1];
    const after = words[at + 1];
    const found = byName(before) ?? byName(after);
    if (found) {
      palette = found;
      cut(byName(before) ? at - 1 : at, 2);
    } else {
      const named = before ?? after ?? '';
      const known = catalog.palettes.map((p) => p.id).join(', ') || 'none in the catalog';
      questions.push({ field: 'palette', question: `Which palette is "${named}"? Known palettes: ${known}.` });
      cut(before ? at - 1 : at, before || after ? 2 : 1);
    }
  }

  // Asset type: the longest name found; none, or two different ones, is a question.
  const names = catalog.assetTypes.flatMap((t) => typeNames(t).map((n) => ({ t, n })));
  const hit = findPhrase(
    words,
    names.map((x) => x.n),
  );
  const type = hit ? names.find((x) => x.n === hit.phrase)!.t : null;
  if (hit) cut(hit.at, hit.len);
  const other =
    type &&
    findPhrase(
      words,
      names.filter((x) => x.t.id !== type.id).map((x) => x.n),
    );
  const known = catalog.assetTypes.map((t) => t.id).join(', ') || 'none: import a catalog first';
  if (!type) questions.push({ field: 'assetType', question: `Which asset type is this? The catalog has: ${known}.` });
  else if (other)
    questions.push({
      field: 'assetType',
      question: `Is this a ${type.id} or a ${names.find((x) => x.n === other.phrase)!.t.id}? Put each on its own line.`,
    });

  // Tags: any chip of the catalog's tag groups that the line names.
  const chips = Object.values(catalog.tagGroups).flat();
  const tags: string[] = [];
  for (const chip of [...chips].sort((a, b) => b.length - a.length)) {
    const f = findPhrase(words, [tokens(chip)]);
    if (f && tokens(chip).length > 0) {
      tags.push(chip);
      cut(f.at, f.len);
    }
  }

  if (questions.length > 0 || !type) return questions;
  const subject = words.filter((w) => !filler.has(w) && !/^\d+$/.test(w)).join(' ');
  return { count, type, subject: subject || type.name.toLowerCase(), size, palette, camera, tags };
}

/** The wishlist's items: lines, or `;`-separated parts of a line, without bullets; blank lines and `#` comments skipped. */
export function wishlistItems(text: string): { line: number; text: string }[] {
  return text.split(/\r?\n/).flatMap((raw, i) =>
    raw
      .split(';')
      .map((s) => s.replace(/^\s*(?:[-*•]|\d+[.)](?=\s))\s*/, '').trim())
      .filter((s) => s.length > 0 && !s.startsWith('#'))
      .map((s) => ({ line: i + 1, text: s })),
  );
}

/** Refine a wishlist against a catalog: the specs it could read and a question for every item it could not. */
export function refineWishlist(input: Pick<SpecListInput, 'text' | 'style' | 'scenario'>, catalog: Catalog): RefinerOutput {
  const d = catalog.defaults;
  const specs: AssetSpec[] = [];
  const questions: Question[] = [];
  for (const item of wishlistItems(input.text)) {
    if (item.text.length > MAX_LINE) {
      questions.push({
        ...item,
        text: item.text.slice(0, MAX_LINE),
        field: 'text',
        question: `Shorten this line to ${MAX_LINE} characters or fewer.`,
      });
      continue;
    }
    const read = readItem(item.text, catalog);
    if (Array.isArray(read)) {
      questions.push(...read.map((q) => ({ ...item, ...q })));
      continue;
    }
    const { type } = read;
    const models = suggestModels(catalog, type.id);
    const style = input.style ?? d.style;
    const scenario = input.scenario ?? d.scenario;
    const size = read.size ?? type.size;
    const tags = [...new Set([...d.tags, ...type.tags, ...read.tags])];
    const colours = read.palette ? `${read.palette.name} palette (${read.palette.colors.join(' ')})` : null;
    for (let n = 1; n <= read.count; n++) {
      const variation = read.count > 1 ? `variation ${n} of ${read.count}` : null;
      specs.push({
        name: read.count > 1 ? `${read.subject} ${n}` : read.subject,
        assetType: type.id,
        subject: read.subject,
        checkpointId: models.checkpointId,
        style,
        scenario,
        palette: read.palette ? { id: read.palette.id, name: read.palette.name, colors: read.palette.colors } : null,
        camera: read.camera,
        prompt: {
          positive: sentence([read.subject, type.name.toLowerCase(), read.camera, colours, style, scenario, ...read.tags, variation]),
          negative: sentence([d.negativePrompt, type.negativePrompt]),
        },
        tags,
        generationParams: {
          width: size.width,
          height: size.height,
          steps: d.steps,
          sampler: d.sampler,
          cfg: d.cfg,
          seed: d.seedRule === 'fixed' ? d.seed : seedOf(`${item.text.toLowerCase()}#${n}`),
          seedRule: d.seedRule,
          variants: d.variants,
        },
        baselineProfileId: d.baselineProfileId ?? null,
        loraPolicy: { selection: catalog.policies.loraSelection, loraIds: models.loraIds },
        styleConsistency: { mode: d.styleConsistency, paletteId: read.palette?.id ?? null },
        qualityContract: { ...d.qualityContract },
        fields: Object.fromEntries(type.fields.filter((f) => f.default !== undefined).map((f) => [f.id, f.default!])),
        source: item,
      });
    }
  }
  return { specs, questions };
}
