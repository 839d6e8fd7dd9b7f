// In the page: Phaser 4 loads the atlas with its own loader (load.multiatlas, or load.atlas for a
// TexturePacker hash / array page) and draws every frame as an Image (origin 0, so the untrimmed box
// starts at the cell) with antialias off (nearest filtering), on the WebGL or the canvas renderer. Not pixelArt: that
// turns roundPixels on, and the canvas renderer then draws every frame half a pixel larger (CanvasRenderer.batchSprite `fw += 0.5`),
// which at 1:1 repeats a column; the cells are at whole pixels anyway.
import { readCanvas, type ClientJob, type ClientResult } from './job.js';

interface PhaserFrame {
  customPivot: boolean;
  pivotX: number;
  pivotY: number;
}

export async function drawAtlas(job: ClientJob): Promise<ClientResult> {
  const mod = await import(job.lib);
  const Phaser = mod.default ?? mod;
  const keys = job.atlases.map((_, i) => `atlas${i}`);
  return new Promise((resolve, reject) => {
    class Draw extends Phaser.Scene {
      preload() {
        this.load.on('loaderror', (file: { key: string; url: string }) => reject(new Error(`Phaser could not load ${file.url}`)));
        job.atlases.forEach((a, i) => {
          if (a.kind === 'multiatlas') this.load.multiatlas(keys[i], a.url, a.image);
          else this.load.atlas(keys[i], a.image, a.url);
        });
      }
      create() {
        const missing: string[] = [];
        const pivots: ClientResult['pivots'] = {};
        for (const c of job.cells) {
          const key = keys.find((k) => this.textures.get(k).has(c.name));
          if (!key) {
            missing.push(c.name);
            continue;
          }
          const f = this.textures.getFrame(key, c.name) as PhaserFrame;
          pivots[c.name] = f.customPivot ? { x: f.pivotX, y: f.pivotY } : null;
          this.add.image(c.x, c.y, key, c.name).setOrigin(0, 0);
        }
        // The frames are drawn in the render after create; read the canvas once that has happened.
        this.game.events.once('postrender', () => {
          const renderer = this.game.renderer.type === Phaser.WEBGL ? 'webgl' : 'canvas';
          resolve({
            renderer,
            width: job.width,
            height: job.height,
            rgba: readCanvas(this.game.canvas, job.width, job.height),
            missing,
            pivots,
          });
        });
      }
    }
    new Phaser.Game({
      type: job.renderer === 'webgl' ? Phaser.WEBGL : Phaser.CANVAS,
      width: job.width,
      height: job.height,
      banner: false,
      audio: { noAudio: true },
      scale: { mode: Phaser.Scale.NONE },
      render: { transparent: true, antialias: false, roundPixels: false, preserveDrawingBuffer: true },
      scene: Draw,
    });
  });
}
