// export: a bundle an engine imports as is — atlases re-rendered in the
// profile's formats and folder layout (plus cut-outs where the profile wants
// them), a manifest linking every file to project, spec, asset, variant and
// atlas ids with sha256 and size, and the same as one zip.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { zipSync } from 'fflate';
import { outputIdOf, type ExportProfile } from '../../engine/jobs/contracts.js';
import type { AtlasLayout } from '../atlas/layout.js';
import { JobInputError } from '../errors.js';
import { CUSTOM_FILE } from '../formats/custom.js';
import { formatCapabilities, formatsWithout, nameClash } from '../formats/capabilities.js';
import { writeFormats } from '../formats/index.js';
import { builtInProfiles, renameFrame } from './profiles.js';
import type { JobContext, Processor } from './types.js';

interface BundleFile {
  path: string;
  data: Buffer;
  links: { atlasId?: string; assetId?: string; variantId?: string; specId?: string; assetIds?: string[]; variantIds?: string[] };
}

/** files/images/<assetId>/<alpha|original>/<variantId>.png → ids. */
function idsOfImage(p: string): { assetId?: string; variantId?: string } {
  const m = /^files\/images\/([^/]+)\/(?:alpha|original)\/([^/]+)\.png$/.exec(p);
  return m ? { assetId: m[1], variantId: m[2] } : {};
}

/**
 * A path inside the bundle, checked after `{atlasId}` / `{assetId}` are substituted and names joined:
 * relative, no ".." segment, no backslash, no drive letter — nothing an unzip could place outside its
 * folder. Returned normalised ("./" and "//" dropped); `file: false` allows the bundle root ("").
 */
function bundlePath(field: string, what: string, fix: string, parts: string[], file = true): string {
  const joined = parts.filter((p) => p !== '').join('/');
  let norm = joined === '' ? '' : path.posix.normalize(joined).replace(/^\.$/, '');
  if (!file) norm = norm.replace(/\/+$/, '');
  const last = norm.split('/').at(-1)!;
  if (
    /[\\\0]/.test(joined) ||
    joined.split('/').includes('..') ||
    norm.startsWith('/') ||
    /^[A-Za-z]:/.test(norm) ||
    (file && (last === '' || last === '.'))
  )
    throw new JobInputError(
      field,
      `${what} would be zipped as "${joined}", which leads outside the bundle; bundle paths must be relative, without ".." or backslashes — ${fix}`,
    );
  return norm;
}

async function readLayout(ctx: JobContext, atlasId: string, field: string): Promise<AtlasLayout> {
  const file = `atlases/${atlasId}/${CUSTOM_FILE}`;
  if (!(await ctx.files.exists(file, field)))
    throw new JobInputError(field, `atlas "${atlasId}" has not been packed (no ${file}); run pack_atlas first`);
  return JSON.parse((await ctx.files.read(file, field)).toString('utf8')) as AtlasLayout;
}

async function generatorMeta(ctx: JobContext, assetId: string, variantId: string, field: string): Promise<unknown> {
  const file = `files/images/${assetId}/original/${variantId}.json`;
  return (await ctx.files.exists(file, field)) ? JSON.parse((await ctx.files.read(file, field)).toString('utf8')) : undefined;
}

export const exportBundle: Processor<'export'> = async (input, ctx) => {
  const profile: ExportProfile | undefined =
    input.profile ?? (Object.hasOwn(builtInProfiles, input.profileId) ? builtInProfiles[input.profileId] : undefined);
  const profileField = (key: string) => (input.profile ? `profile.${key}` : 'profileId');
  if (!profile)
    throw new JobInputError(
      'profileId',
      `unknown profile "${input.profileId}"; use one of ${Object.keys(builtInProfiles).join(', ')} or pass a whole profile as "profile"`,
    );
  if (input.atlasIds.length === 0 && input.assetIds.length === 0)
    throw new JobInputError('atlasIds', 'nothing to export: give atlasIds and/or assetIds');
  const exportId = outputIdOf('export', input, ctx.jobId);
  const files: BundleFile[] = [];
  const generator: Record<string, unknown> = {};
  for (const [k, atlasId] of input.atlasIds.entries()) {
    ctx.progress(k / (input.atlasIds.length + 1), `exporting atlas ${atlasId}`);
    const layout = await readLayout(ctx, atlasId, `atlasIds.${k}`);
    const unrotatable = formatsWithout(profile.formats, 'rotation');
    if (unrotatable.length > 0 && layout.frames.some((f) => f.rotated))
      throw new JobInputError(
        `atlasIds.${k}`,
        `atlas "${atlasId}" was packed with rotation, which ${unrotatable.map((f) => formatCapabilities[f].reader).join(' and ')} cannot draw (profile "${profile.id}"); re-pack it with rotation: false`,
      );
    const renamed = new Map<string, string>();
    const frames = layout.frames.map((f) => {
      const name = renameFrame(f.name, profile.naming);
      const clash = [...renamed.entries()].find(([, n]) => n === name);
      if (clash)
        throw new JobInputError(
          `atlasIds.${k}`,
          `frames "${clash[0]}" and "${f.name}" both become "${name}" under the profile's ${profile.naming} naming; rename one`,
        );
      renamed.set(f.name, name);
      return { ...f, name, duplicateOf: f.duplicateOf && renameFrame(f.duplicateOf, profile.naming) };
    });
    const clash = nameClash(
      profile.formats,
      frames.map((f) => f.name),
    );
    if (clash) throw new JobInputError(`atlasIds.${k}`, `atlas "${atlasId}" under profile "${profile.id}": ${clash.message}`);
    const renamedLayout: AtlasLayout = {
      ...layout,
      frames,
      animations: layout.animations.map((a) => ({ ...a, frames: a.frames.map((n) => renamed.get(n) ?? n) })),
    };
    const dir = bundlePath(
      profileField('atlasDir'),
      `atlasDir "${profile.atlasDir}" for atlas "${atlasId}"`,
      'use a relative folder with {atlasId}',
      [profile.atlasDir.replaceAll('{atlasId}', atlasId)],
      false,
    );
    const repack = 're-pack the atlas with pack_atlas';
    // Which assets and variants an atlas file holds (its frames' cut-outs), so every manifest entry names them.
    const held = (page: number | null) => {
      const ids = layout.frames.filter((f) => page === null || f.page === page).map((f) => idsOfImage(f.source));
      const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => x !== undefined))];
      return { assetIds: uniq(ids.map((i) => i.assetId)), variantIds: uniq(ids.map((i) => i.variantId)) };
    };
    for (const [n, p] of layout.pages.entries())
      files.push({
        path: bundlePath(`atlasIds.${k}`, `atlas "${atlasId}" page image "${p.image}"`, repack, [dir, p.image]),
        data: await ctx.files.read(`atlases/${atlasId}/${p.image}`, `atlasIds.${k}`),
        links: { atlasId, ...held(n) },
      });
    for (const f of writeFormats(renamedLayout, profile.formats, { godotResPath: `res://${dir}/` }))
      files.push({
        path: bundlePath(`atlasIds.${k}`, `atlas "${atlasId}" data file "${f.name}"`, repack, [dir, f.name]),
        data: Buffer.from(f.content),
        links: { atlasId, ...held(null) },
      });
    for (const f of layout.frames) {
      const ids = idsOfImage(f.source);
      if (ids.assetId && ids.variantId && !(f.source in generator))
        generator[f.source] = await generatorMeta(ctx, ids.assetId, ids.variantId, `atlasIds.${k}`);
    }
  }
  if (profile.includeSprites)
    for (const [k, assetId] of input.assetIds.entries()) {
      const field = `assetIds.${k}`;
      const alphaDir = `files/images/${assetId}/alpha`;
      if (!(await ctx.files.isDir(alphaDir, field)))
        throw new JobInputError(field, `asset "${assetId}" has no cut-outs (${alphaDir}); run bg_remove first`);
      const dir = bundlePath(
        profileField('spritesDir'),
        `spritesDir "${profile.spritesDir}" for asset "${assetId}"`,
        'use a relative folder with {assetId}',
        [profile.spritesDir.replaceAll('{assetId}', assetId)],
        false,
      );
      for (const src of (await ctx.files.list(alphaDir, field)).filter((p) => p.endsWith('.png'))) {
        const ids = idsOfImage(src);
        const name = `${renameFrame(path.posix.parse(src).name, profile.naming)}.png`;
        files.push({
          path: bundlePath(field, `cut-out "${src}"`, 'rename the file', [dir, name]),
          data: await ctx.files.read(src, field),
          links: ids,
        });
        if (ids.variantId && !(src in generator)) generator[src] = await generatorMeta(ctx, assetId, ids.variantId, field);
      }
    }
  ctx.progress(0.9, 'writing the bundle');
  const manifest = {
    format: 'greenlight-export',
    version: 1,
    exportId,
    projectId: ctx.projectId,
    profile,
    createdAt: ctx.now().toISOString(),
    atlasIds: input.atlasIds,
    assetIds: input.assetIds,
    files: files.map((f) => ({
      path: f.path,
      size: f.data.length,
      sha256: createHash('sha256').update(f.data).digest('hex'),
      projectId: ctx.projectId,
      ...f.links,
    })),
    generator: Object.fromEntries(Object.entries(generator).filter(([, v]) => v !== undefined)),
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const base = `exports/${exportId}`;
  const zipEntries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  // A fixed mtime: the same bundle zips to the same bytes.
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const f of files) zipEntries[f.path] = [f.data, { mtime }];
  zipEntries['manifest.json'] = [Buffer.from(manifestText), { mtime }];
  await Promise.all(files.map((f) => ctx.files.write(`${base}/bundle/${f.path}`, f.data, 'exportId')));
  await ctx.files.write(`${base}/manifest.json`, manifestText, 'exportId');
  await ctx.files.write(`${base}/bundle.zip`, Buffer.from(zipSync(zipEntries, { level: 6 })), 'exportId');
  ctx.progress(1, 'done');
  return {
    exportId,
    bundlePath: `${base}/bundle.zip`,
    bundleDir: `${base}/bundle`,
    manifestPath: `${base}/manifest.json`,
    files: files.length + 1,
  };
};
