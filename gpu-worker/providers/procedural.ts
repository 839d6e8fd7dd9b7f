// The offline generator: sprite-like subjects (characters, slimes, crystals,
// shields, potions, swords) with outlines and shading on a plain or gradient
// background, drawn as SVG and rasterised by sharp. Deterministic from prompt +
// seed + index. Beside each image it can give the ground truth: the subject
// alone on transparency, whose alpha is the true mask.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { GenerateRequest, GeneratedImage, ImageProvider } from './types.js';

type Rng = () => number;

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(prompt: string, seed: number, index: number): number {
  return createHash('sha256').update(`${prompt}\u0000${seed}\u0000${index}`).digest().readUInt32LE(0);
}

const hsl = (h: number, s: number, l: number) => `hsl(${h.toFixed(1)},${(s * 100).toFixed(1)}%,${(l * 100).toFixed(1)}%)`;
const f = (n: number) => n.toFixed(2);

export const subjectKinds = ['character', 'slime', 'crystal', 'shield', 'potion', 'sword'] as const;
export type SubjectKind = (typeof subjectKinds)[number];

function kindFor(prompt: string, rng: Rng): SubjectKind {
  const p = prompt.toLowerCase();
  const hit =
    subjectKinds.find((k) => p.includes(k)) ??
    (/\b(hero|knight|mage|npc)\b/.test(p) ? 'character' : /\b(gem|ore)\b/.test(p) ? 'crystal' : undefined);
  return hit ?? subjectKinds[Math.floor(rng() * subjectKinds.length)]!;
}

export interface Scene {
  kind: SubjectKind;
  background: 'plain' | 'gradient';
  /** SVG of the subject only (transparent elsewhere). */
  subject: string;
  /** SVG of the background only. */
  backdrop: string;
  width: number;
  height: number;
}

/** The scene for one variant: everything the render needs, no I/O. */
export function scene(
  prompt: string,
  seed: number,
  index: number,
  width: number,
  height: number,
  background: 'plain' | 'gradient' | 'mixed',
): Scene {
  const rng = mulberry32(seedOf(prompt, seed, index));
  const kind = kindFor(prompt, rng);
  const bgKind = background === 'mixed' ? (rng() < 0.5 ? 'plain' : 'gradient') : background;
  const dark = rng() < 0.25;
  const bgHue = rng() * 360;
  const bgL = dark ? 0.12 + rng() * 0.12 : 0.78 + rng() * 0.17;
  const bgS = 0.15 + rng() * 0.45;
  const bgA = hsl(bgHue, bgS, bgL);
  const bgB = hsl((bgHue + 20 + rng() * 60) % 360, bgS, dark ? bgL + 0.08 : bgL - 0.1);
  const angle = rng() * 360;
  const backdrop =
    bgKind === 'plain'
      ? `<rect width="100%" height="100%" fill="${bgA}"/>`
      : `<defs><linearGradient id="bg" gradientTransform="rotate(${f(angle)} 0.5 0.5)"><stop offset="0" stop-color="${bgA}"/><stop offset="1" stop-color="${bgB}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#bg)"/>`;
  // The subject's hue sits well away from the background's, its lightness mid-range, its outline dark on
  // light grounds and light on dark ones: what an artist's sprite on a flat backdrop looks like.
  const hue = (bgHue + 90 + rng() * 180) % 360;
  const s = Math.min(width, height);
  const ink = dark ? hsl(hue, 0.3, 0.85) : hsl(hue, 0.5, 0.14);
  const light = hsl(hue, 0.7, 0.62);
  const deep = hsl(hue, 0.65, 0.38);
  const sw = Math.max(1.5, s * (0.012 + rng() * 0.012));
  const defs = `<defs><radialGradient id="shade" cx="0.35" cy="0.3" r="0.8"><stop offset="0" stop-color="${light}"/><stop offset="1" stop-color="${deep}"/></radialGradient></defs>`;
  const cx = width / 2 + (rng() - 0.5) * width * 0.1;
  const cy = height / 2 + (rng() - 0.5) * height * 0.1;
  const r = s * (0.22 + rng() * 0.13);
  const style = `fill="url(#shade)" stroke="${ink}" stroke-width="${f(sw)}" stroke-linejoin="round"`;
  // "Holes" the classic cut-out must keep: patches inside the subject painted the backdrop's colour.
  const patch = (x: number, y: number, rx: number, ry: number) =>
    `<ellipse cx="${f(x)}" cy="${f(y)}" rx="${f(rx)}" ry="${f(ry)}" fill="${bgA}" stroke="${ink}" stroke-width="${f(sw * 0.6)}"/>`;
  const body = shapes(kind, { cx, cy, r, rng, style, patch, ink, sw });
  const subject = `${defs}<g>${body}</g>`;
  return { kind, background: bgKind, subject, backdrop, width, height };
}

interface ShapeCtx {
  cx: number;
  cy: number;
  r: number;
  rng: Rng;
  style: string;
  ink: string;
  sw: number;
  patch: (x: number, y: number, rx: number, ry: number) => string;
}

function shapes(kind: SubjectKind, c: ShapeCtx): string {
  const { cx, cy, r, rng, style, patch, ink, sw } = c;
  switch (kind) {
    case 'character': {
      const head = r * (0.42 + rng() * 0.12);
      const bodyRy = r * 0.62;
      const arm = (side: number) =>
        `<rect x="${f(cx + side * r * 0.55 - r * 0.11)}" y="${f(cy - r * 0.05)}" width="${f(r * 0.22)}" height="${f(r * 0.75)}" rx="${f(r * 0.1)}" transform="rotate(${f(side * (15 + rng() * 30))} ${f(cx + side * r * 0.55)} ${f(cy)})" ${style}/>`;
      const leg = (side: number) =>
        `<rect x="${f(cx + side * r * 0.25 - r * 0.12)}" y="${f(cy + bodyRy * 0.6)}" width="${f(r * 0.24)}" height="${f(r * 0.6)}" rx="${f(r * 0.08)}" ${style}/>`;
      return `${arm(-1)}${arm(1)}${leg(-1)}${leg(1)}<ellipse cx="${f(cx)}" cy="${f(cy + r * 0.25)}" rx="${f(r * 0.5)}" ry="${f(bodyRy)}" ${style}/><circle cx="${f(cx)}" cy="${f(cy - r * 0.6)}" r="${f(head)}" ${style}/>${patch(cx - head * 0.38, cy - r * 0.62, head * 0.2, head * 0.26)}${patch(cx + head * 0.38, cy - r * 0.62, head * 0.2, head * 0.26)}`;
    }
    case 'slime': {
      const n = 9;
      const pts = Array.from({ length: n }, (_, i) => {
        const a = (i / n) * Math.PI * 2;
        const rr = r * (0.85 + rng() * 0.3) * (Math.sin(a) > 0 ? 0.8 : 1.05);
        return [cx + Math.cos(a) * rr * 1.2, cy + Math.sin(a) * rr] as const;
      });
      const mid = (i: number) => {
        const a = pts[i % n]!;
        const b = pts[(i + 1) % n]!;
        return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] as const;
      };
      let d = `M${f(mid(0)[0])},${f(mid(0)[1])}`;
      for (let i = 1; i <= n; i++) d += ` Q${f(pts[i % n]![0])},${f(pts[i % n]![1])} ${f(mid(i)[0])},${f(mid(i)[1])}`;
      return `<path d="${d}Z" ${style}/>${patch(cx - r * 0.35, cy - r * 0.2, r * 0.16, r * 0.22)}${patch(cx + r * 0.35, cy - r * 0.2, r * 0.16, r * 0.22)}`;
    }
    case 'crystal': {
      const n = 5 + Math.floor(rng() * 4);
      const pts: string[] = [];
      for (let i = 0; i < n * 2; i++) {
        const a = (i / (n * 2)) * Math.PI * 2 - Math.PI / 2;
        const rr = i % 2 === 0 ? r * 1.1 : r * (0.45 + rng() * 0.15);
        pts.push(`${f(cx + Math.cos(a) * rr)},${f(cy + Math.sin(a) * rr)}`);
      }
      return `<polygon points="${pts.join(' ')}" ${style}/><circle cx="${f(cx)}" cy="${f(cy)}" r="${f(r * 0.18)}" fill="none" stroke="${ink}" stroke-width="${f(sw * 0.6)}"/>`;
    }
    case 'shield': {
      const w = r * 0.95;
      const d = `M${f(cx - w)},${f(cy - r * 0.9)} L${f(cx + w)},${f(cy - r * 0.9)} L${f(cx + w)},${f(cy + r * 0.1)} Q${f(cx + w)},${f(cy + r * 0.8)} ${f(cx)},${f(cy + r * 1.1)} Q${f(cx - w)},${f(cy + r * 0.8)} ${f(cx - w)},${f(cy + r * 0.1)} Z`;
      return `<path d="${d}" ${style}/>${patch(cx, cy - r * 0.05, r * 0.35, r * 0.4)}`;
    }
    case 'potion': {
      return `<rect x="${f(cx - r * 0.2)}" y="${f(cy - r * 1.05)}" width="${f(r * 0.4)}" height="${f(r * 0.7)}" rx="${f(r * 0.06)}" ${style}/><circle cx="${f(cx)}" cy="${f(cy + r * 0.2)}" r="${f(r * 0.75)}" ${style}/>${patch(cx - r * 0.25, cy - r * 0.05, r * 0.12, r * 0.2)}`;
    }
    case 'sword': {
      const t = `rotate(${f(-45 + (rng() - 0.5) * 20)} ${f(cx)} ${f(cy)})`;
      const blade = `<polygon points="${f(cx - r * 0.1)},${f(cy + r * 0.5)} ${f(cx - r * 0.1)},${f(cy - r * 1.1)} ${f(cx)},${f(cy - r * 1.35)} ${f(cx + r * 0.1)},${f(cy - r * 1.1)} ${f(cx + r * 0.1)},${f(cy + r * 0.5)}" ${style}/>`;
      const guard = `<rect x="${f(cx - r * 0.45)}" y="${f(cy + r * 0.45)}" width="${f(r * 0.9)}" height="${f(r * 0.14)}" rx="${f(r * 0.05)}" ${style}/>`;
      const grip = `<rect x="${f(cx - r * 0.08)}" y="${f(cy + r * 0.58)}" width="${f(r * 0.16)}" height="${f(r * 0.55)}" ${style}/><circle cx="${f(cx)}" cy="${f(cy + r * 1.2)}" r="${f(r * 0.12)}" ${style}/>`;
      return `<g transform="${t}">${blade}${guard}${grip}</g>`;
    }
  }
}

const svg = (sc: Scene, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${sc.width}" height="${sc.height}" viewBox="0 0 ${sc.width} ${sc.height}">${body}</svg>`;

/** The finished image (subject over backdrop) and the ground truth (subject alone, RGBA). */
export async function renderScene(sc: Scene): Promise<{ image: Buffer; truth: Buffer }> {
  const [image, truth] = await Promise.all([
    sharp(Buffer.from(svg(sc, sc.backdrop + sc.subject)))
      .removeAlpha()
      .png()
      .toBuffer(),
    sharp(Buffer.from(svg(sc, sc.subject)))
      .ensureAlpha()
      .png()
      .toBuffer(),
  ]);
  return { image, truth };
}

export const proceduralProvider: ImageProvider = {
  name: 'procedural',
  async generate(req: GenerateRequest, index: number): Promise<GeneratedImage> {
    const sc = scene(req.prompt, req.seed, index, req.width, req.height, req.background);
    const { image, truth } = await renderScene(sc);
    const mask = req.writeMasks ? await sharp(truth).extractChannel(3).png().toBuffer() : undefined;
    return { png: image, mask, params: { kind: sc.kind, background: sc.background, seed: req.seed, index } };
  },
};
