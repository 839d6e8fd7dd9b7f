// The review pages: the asset page (variant cards), the compare page, the
// chat cards' variant link, and the decision form every card posts.
import { randomBytes } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { isGreenlightError, type AssetRow, type Engine, type Principal } from '../engine/index.js';
import type { CardOptions } from './cards.js';
import { ComparePage, compareModes, type CompareMode } from './compare.js';
import { REVIEW_PATH, type Kit } from './kit.js';
import { AssetPage } from './pages.js';

export function mountReviewRoutes(app: Hono<any>, engine: Engine, kit: Kit): void {
  const { page, ctxOf, sessionOf, signedIn, posted, failure } = kit;
  /** What every variant card on a page needs. */
  const cardOptions = (c: Context, p: Principal, projectId: string, asset: AssetRow, extra: Partial<CardOptions> = {}): CardOptions => {
    const { tagGroups } = engine.entities.getProject(p, projectId).settings;
    const media = (route: 'thumbs' | 'files', file: string | undefined) =>
      file ? `${REVIEW_PATH}/${route}/${encodeURIComponent(projectId)}/${file.split('/').map(encodeURIComponent).join('/')}` : null;
    return {
      base: `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}`,
      asset,
      csrf: sessionOf(c)?.csrf ?? '',
      tagChoices: Object.entries(tagGroups).flatMap(([g, tags]) => tags.map((t) => `${g}:${t}`)),
      formKey: () => randomBytes(9).toString('base64url'),
      thumb: (v) => media('thumbs', v.files.thumb ?? v.files.original),
      original: (v) => media('files', v.files.original ?? v.files.thumb),
      ...extra,
    };
  };
  const assetPage = (
    c: Context,
    p: Principal,
    projectId: string,
    assetId: string,
    error?: { variantId: string; message: string },
    assetError?: string,
  ) => {
    const { asset, variants } = engine.entities.getAsset(p, projectId, assetId);
    const card = cardOptions(c, p, projectId, asset, { error, comparable: true });
    return page(
      c,
      <AssetPage
        ctx={ctxOf(c, asset.name || asset.id, projectId)}
        projectId={projectId}
        variants={variants}
        card={card}
        {...(assetError ? { assetError } : {})}
      />,
      error || assetError ? 400 : 200,
    );
  };
  /** The compare page of `ids` (2–4 of the asset's variants, in the order chosen). */
  const comparePage = (
    c: Context,
    p: Principal,
    projectId: string,
    assetId: string,
    ids: string[],
    mode: string | undefined,
    cardError?: { variantId: string; message: string },
  ) => {
    const { asset, variants } = engine.entities.getAsset(p, projectId, assetId);
    const url = (m: string, list = ids) =>
      `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/assets/${encodeURIComponent(assetId)}/compare?${new URLSearchParams([
        ...list.map((v) => ['v', v]),
        ...(m === 'side' ? [] : [['mode', m]]),
      ]).toString()}`;
    const known = [...new Set(ids)].filter((id) => variants.some((v) => v.id === id));
    const unknown = ids.filter((id) => !variants.some((v) => v.id === id));
    const error =
      unknown.length > 0
        ? `v: ${unknown.map((id) => `'${id}'`).join(', ')} is not a variant of ${assetId}; check the variants on the asset page.`
        : known.length < 2 || known.length > 4
          ? `v: choose 2 to 4 variants to compare (${known.length} chosen): check them on the asset page.`
          : mode !== undefined && !(mode in compareModes)
            ? `mode: '${mode}' is not a compare mode; use ${Object.keys(compareModes).join(', ')}.`
            : undefined;
    // A bad choice still shows a page to work from: the first variants, side by side, and what to fix.
    const shown = error ? (known.length >= 2 ? known.slice(0, 4) : variants.slice(0, 4).map((v) => v.id)) : known;
    const m = (error || !mode ? 'side' : mode) as CompareMode;
    const chosen = shown.map((id) => ({ v: variants.find((v) => v.id === id)!, index: variants.findIndex((v) => v.id === id) + 1 }));
    const card = cardOptions(c, p, projectId, asset, { back: url(m, shown), error: cardError });
    return page(
      c,
      <ComparePage
        ctx={ctxOf(c, `Compare ${asset.name || asset.id}`, projectId)}
        projectId={projectId}
        chosen={chosen}
        mode={m}
        urlOf={(x) => url(x, shown)}
        original={card.original!}
        card={card}
        error={error}
      />,
      error || cardError ? 400 : 200,
    );
  };
  app.get(
    `${REVIEW_PATH}/projects/:projectId/assets/:assetId/compare`,
    signedIn((c, p) =>
      comparePage(c, p, c.req.param('projectId')!, c.req.param('assetId')!, c.req.queries('v') ?? [], c.req.query('mode')),
    ),
  );
  app.get(
    `${REVIEW_PATH}/projects/:projectId/assets/:assetId`,
    signedIn((c, p) => assetPage(c, p, c.req.param('projectId')!, c.req.param('assetId')!)),
  );
  // The chat cards' "Open in review" target: the variant on its asset's page.
  app.get(
    `${REVIEW_PATH}/projects/:projectId/variants/:variantId`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      const v = engine.entities.getVariant(p, projectId, c.req.param('variantId')!);
      return c.redirect(`${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/assets/${encodeURIComponent(v.assetId)}#v-${v.id}`, 302);
    }),
  );
  // "Approve asset": the asset's approval, the lead's call (the engine checks the role).
  app.post(
    `${REVIEW_PATH}/projects/:projectId/assets/:assetId/approve`,
    posted((c, p, form) => {
      const projectId = c.req.param('projectId')!;
      const assetId = c.req.param('assetId')!;
      const key = typeof form.key === 'string' ? form.key : undefined;
      try {
        engine.reviewAsset(p, projectId, assetId, { decision: 'approve', ...(key ? { idempotencyKey: `web.${p.id}.${key}` } : {}) }, 'web');
      } catch (err) {
        if (!isGreenlightError(err) || err.code === 'unauthorized' || err.code === 'not_found') return failure(c, err);
        return assetPage(
          c,
          p,
          projectId,
          assetId,
          undefined,
          err.code === 'forbidden' ? 'Approving the asset is a lead’s call.' : err.message,
        );
      }
      return c.redirect(`${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/assets/${encodeURIComponent(assetId)}`, 303);
    }),
  );
  app.post(
    `${REVIEW_PATH}/projects/:projectId/variants/:variantId`,
    posted((c, p, form) => {
      const projectId = c.req.param('projectId')!;
      const variantId = c.req.param('variantId')!;
      const one = (k: string) =>
        typeof form[k] === 'string' ? (form[k] as string) : Array.isArray(form[k]) ? (form[k] as string[])[0] : undefined;
      const list = (k: string) => (form[k] === undefined ? undefined : ([] as string[]).concat(form[k] as string | string[]));
      const tags = list('tags');
      const untag = list('untag');
      const note = one('note')?.trim();
      // "Save note" records the note (as a tag decision with no tags); a chip press sends its tag and no decision.
      const decision = one('decision') === 'note' || (one('decision') === undefined && (tags || untag)) ? 'tag' : one('decision');
      const body = {
        decision,
        ...(note ? { note } : {}),
        ...(tags ? { tags } : {}),
        ...(untag ? { untag } : {}),
        ...(one('key') ? { idempotencyKey: `web.${p.id}.${one('key')}` } : {}),
      };
      const assetId = engine.entities.getVariant(p, projectId, variantId).assetId;
      const base = `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/`;
      const back = one('back')?.startsWith(base) ? one('back')! : null;
      const again = (message: string) =>
        back
          ? (() => {
              const q = new URL(back, 'http://x').searchParams;
              return comparePage(c, p, projectId, assetId, q.getAll('v'), q.get('mode') ?? undefined, { variantId, message });
            })()
          : assetPage(c, p, projectId, assetId, { variantId, message });
      if (one('decision') === 'note' && !note) return again('note: write the note first, then press Save note.');
      try {
        engine.review(p, projectId, variantId, body, 'web');
      } catch (err) {
        if (!isGreenlightError(err) || err.code === 'unauthorized' || err.code === 'forbidden') return failure(c, err);
        const details = err.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
        return again(`${err.message}${details ? ` (${details})` : ''}`);
      }
      if (back) return c.redirect(`${back}#v-${variantId}`, 303);
      return c.redirect(
        `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/assets/${encodeURIComponent(assetId)}#v-${variantId}`,
        303,
      );
    }),
  );
}
