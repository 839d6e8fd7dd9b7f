// The review web's images, behind the session: thumbnails (resized by sharp on
// first ask, kept on disk under data/cache/thumbs, revalidated by ETag) and the
// originals the compare page zooms into. Paths go through the engine's
// files.path, which confines them to the project folder after resolving links.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Context, Hono } from 'hono';
import sharp from 'sharp';
import type { Engine, Principal } from '../engine/index.js';

const TYPES: Record<string, string> = { '.png': 'image/png', '.webp': 'image/webp', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };
export const THUMB_SIZE = 320;

export function mountImages(
  app: Hono<any>,
  engine: Engine,
  o: {
    base: string;
    thumbDir: string;
    who: (c: Context) => Principal | Response;
    failure: (c: Context, err: unknown) => Response;
  },
): void {
  /** The project file a request names (session checked, confined), its ETag, or the answer that ends it. */
  async function fileOf(c: Context, route: string, variant: string) {
    const p = o.who(c);
    if (p instanceof Response) return p;
    const projectId = c.req.param('projectId')!;
    const prefix = `${o.base}/${route}/${encodeURIComponent(projectId)}/`;
    const rel = decodeURIComponent(new URL(c.req.url).pathname.slice(prefix.length));
    engine.entities.getProject(p, projectId);
    const file = engine.files.path(projectId, rel);
    const stat = await fs.promises.stat(file);
    const etag = `"${createHash('sha256').update(`${file}\n${stat.size}\n${stat.mtimeMs}\n${variant}`).digest('base64url').slice(0, 22)}"`;
    c.header('etag', etag);
    c.header('cache-control', 'private, max-age=300');
    c.header('x-content-type-options', 'nosniff');
    return { file, etag, fresh: c.req.header('if-none-match') === etag };
  }
  const serve = (route: string, variant: string, body: (file: string, etag: string) => Promise<{ data: Buffer; type: string }>) =>
    app.get(`${o.base}/${route}/:projectId/*`, async (c) => {
      try {
        const f = await fileOf(c, route, variant);
        if (f instanceof Response) return f;
        if (f.fresh) return c.body(null, 304);
        const { data, type } = await body(f.file, f.etag);
        c.header('content-type', type);
        return c.body(new Uint8Array(data));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return c.notFound();
        return o.failure(c, err);
      }
    });

  serve('thumbs', String(THUMB_SIZE), async (file, etag) => {
    const cached = path.join(o.thumbDir, `${etag.slice(1, -1)}.webp`);
    try {
      return { data: await fs.promises.readFile(cached), type: 'image/webp' };
    } catch {
      const data = await sharp(file)
        .resize({ width: THUMB_SIZE, height: THUMB_SIZE, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 85 })
        .toBuffer();
      await fs.promises.mkdir(o.thumbDir, { recursive: true });
      await fs.promises.writeFile(cached, data);
      return { data, type: 'image/webp' };
    }
  });
  // Originals, as stored: images only (anything else in the project folder is not the review web's to show).
  serve('files', 'original', async (file) => {
    const type = TYPES[path.extname(file).toLowerCase()];
    if (!type) throw Object.assign(new Error('not an image'), { code: 'ENOENT' });
    return { data: await fs.promises.readFile(file), type };
  });
}
