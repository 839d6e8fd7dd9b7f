// In the page: PixiJS 8 loads TexturePacker JSON pages with its own Assets / Spritesheet loader and
// draws every frame as a Sprite (anchor 0, so the untrimmed box starts at the cell) at 1:1 with
// nearest filtering, on the WebGL or the canvas renderer.
import { readCanvas, type ClientJob, type ClientResult } from './job.js';

interface PixiTexture {
  defaultAnchor?: { x: number; y: number };
}

export async function drawAtlas(job: ClientJob): Promise<ClientResult> {
  const PIXI = await import(job.lib);
  PIXI.TextureSource.defaultOptions.scaleMode = 'nearest';
  const renderer = await PIXI.autoDetectRenderer({
    preference: job.renderer,
    width: job.width,
    height: job.height,
    backgroundAlpha: 0,
    antialias: false,
    resolution: 1,
    preserveDrawingBuffer: true,
  });
  const textures: Record<string, PixiTexture> = {};
  for (const a of job.atlases) Object.assign(textures, (await PIXI.Assets.load(a.url)).textures);
  const stage = new PIXI.Container();
  const missing: string[] = [];
  const pivots: ClientResult['pivots'] = {};
  for (const c of job.cells) {
    const t = Object.hasOwn(textures, c.name) ? textures[c.name] : undefined;
    if (!t) {
      missing.push(c.name);
      continue;
    }
    const a = t.defaultAnchor;
    pivots[c.name] = a ? { x: a.x, y: a.y } : null;
    const s = new PIXI.Sprite(t);
    s.anchor.set(0, 0);
    s.position.set(c.x, c.y);
    stage.addChild(s);
  }
  renderer.render(stage);
  return {
    renderer: renderer.name,
    width: job.width,
    height: job.height,
    rgba: readCanvas(renderer.canvas, job.width, job.height),
    missing,
    pivots,
  };
}
