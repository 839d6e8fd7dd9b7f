// The rule builder's routes: a new rule, a saved rule's edit page, and the one
// form post whose pressed button (`_op`) says what to do — a structural edit,
// "use this JSON", check, save, dry-run, enable or run exactly the plan shown.
// Saving, dry-runs, enabling and running go through the engine's own calls;
// its zod paths come back as errors at the control that holds the value.
import type { Context, Hono } from 'hono';
import { isGreenlightError, type Engine, type Plan, type Principal, type RuleRow, type Vocabulary } from '../engine/index.js';
import { applyEdit, controlOf, draftFromForm, stableJson, type Draft, type Problems } from './builder-form.js';
import { BuilderPage, type Picks } from './builder-page.js';
import { REVIEW_PATH, type Form, type Kit } from './kit.js';
import { when } from './cards.js';

const statusOf = (code: string) =>
  code === 'conflict' || code === 'dry_run_required' ? 409 : code === 'not_found' ? 404 : code === 'unavailable' ? 503 : 400;
const structural = /^((add-cond|add-group|remove-cond|add-action|up|down|remove-action):|refresh$)/;

function typeOfValue(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}
/** Dotted paths (to depth 3) of what events carry, with the type of the value seen. */
function fieldsSeen(payloads: Record<string, unknown>[], names: string[]): Picks['fields'] {
  const out = new Map<string, string>([
    ['type', 'string'],
    ['subject.kind', 'string'],
    ['subject.id', 'string'],
    ['depth', 'number'],
    ['source', 'string'],
  ]);
  const walk = (v: unknown, path: string, depth: number) => {
    if (out.size > 300) return;
    if (!out.has(path)) out.set(path, typeOfValue(v));
    if (depth < 3 && v && typeof v === 'object' && !Array.isArray(v))
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, `${path}.${k}`, depth + 1);
  };
  for (const pl of payloads) for (const [k, v] of Object.entries(pl)) walk(v, `payload.${k}`, 1);
  for (const n of names) if (!out.has(`payload.${n}`)) out.set(`payload.${n}`, '');
  return [...out].map(([path, type]) => ({ path, type }));
}

export function mountBuilderRoutes(app: Hono<any>, engine: Engine, kit: Kit): void {
  const { page, ctxOf, signedIn, posted, failure } = kit;
  const base = (projectId: string) => `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/rules`;

  const recentOf = (p: Principal, projectId: string, type: string) => (type ? engine.rules.recentEvents(p, projectId, type, 20) : []);
  interface State {
    ruleId: string | null;
    draft: Draft;
    json?: string | undefined;
    problems?: Problems;
    formError?: string | undefined;
    notice?: string | undefined;
    dry?: { source: string; target: string };
    preview?: { plan: Plan; ofSaved: boolean } | undefined;
  }
  const render = (c: Context, p: Principal, projectId: string, s: State, status = 200) => {
    const vocab = engine.rules.vocabulary();
    const saved = s.ruleId ? engine.rules.get(p, projectId, s.ruleId) : null;
    const type = s.draft.trigger?.schedule !== undefined ? 'schedule.fired' : (s.draft.trigger?.event ?? '');
    const recent = recentOf(p, projectId, type);
    const assets = engine.entities.listAssets(p, projectId).slice(0, 100);
    const picks: Picks = {
      assetTypes: [...new Set(assets.map((a) => a.asset.type))],
      entities: assets
        .flatMap(({ asset, variants }) => [
          { id: asset.id, kind: 'asset', label: `asset ${asset.name ?? asset.id} (${asset.type})` },
          ...variants.map((v) => ({ id: v.id, kind: 'variant', label: `variant of ${asset.id}, ${v.status}` })),
        ])
        .slice(0, 300),
      events: recent.map((e) => ({ id: e.id, label: `${e.type} on ${e.subjectKind} ${e.subjectId} · ${when(e.occurredAt)}` })),
      fields: fieldsSeen(
        recent.map((e) => e.payload),
        vocab.eventTypes.find((e) => e.type === type)?.payload ?? [],
      ),
    };
    const checked = engine.rules.check(p, projectId, s.draft);
    return page(
      c,
      <BuilderPage
        // Not a live page: a refresh on someone else's change must never replace what is being typed.
        ctx={{ ...ctxOf(c, saved ? `Edit ${saved.name}` : 'New rule', projectId), live: null }}
        projectId={projectId}
        ruleId={s.ruleId}
        saved={saved ? { version: saved.version, enabled: saved.enabled, name: saved.name } : null}
        draft={s.draft}
        json={s.json ?? JSON.stringify(s.draft, null, 2)}
        problems={s.problems ?? {}}
        formError={s.formError}
        notice={s.notice ?? (saved ? cycleNotice(p, projectId, saved) : undefined)}
        vocab={vocab}
        canEdit={p.role !== 'artist'}
        picks={picks}
        nextTimes={checked.nextTimes}
        dry={s.dry ?? { source: 'sample', target: '' }}
        preview={s.preview}
      />,
      status,
    );
  };
  const cycleNotice = (p: Principal, projectId: string, saved: RuleRow) => {
    const cycles = engine.rules.graph(p, projectId).cycles.filter((cy) => cy.includes(saved.id));
    return cycles.length ? `This rule is in a cycle: ${cycles.map((cy) => cy.join(' → ')).join('; ')} (runs stop at maxDepth).` : undefined;
  };
  /** The engine's problems with a rule, each at its control. */
  const problemsOf = (err: unknown, draft: Draft, vocab: Vocabulary): Problems | null => {
    if (!isGreenlightError(err) || err.code !== 'validation_failed') return null;
    const out: Problems = {};
    for (const d of err.details ?? []) {
      const ctl = controlOf(d.path, draft, vocab);
      out[ctl] ??= `${d.path === '(root)' ? '' : `${d.path}: `}${d.message}`;
    }
    return out;
  };
  const checkProblems = (p: Principal, projectId: string, draft: Draft, vocab: Vocabulary): Problems => {
    const r = engine.rules.check(p, projectId, draft);
    if (r.ok) return {};
    const out: Problems = {};
    for (const d of r.problems) out[controlOf(d.path, draft, vocab)] ??= `${d.path === '(root)' ? '' : `${d.path}: `}${d.message}`;
    return out;
  };

  app.get(
    `${REVIEW_PATH}/projects/:projectId/rules/new`,
    signedIn((c, p) =>
      render(c, p, c.req.param('projectId')!, {
        ruleId: null,
        draft: { name: '', trigger: { event: 'variant.approved' }, scope: { project: true }, conditions: { all: [] }, actions: [] },
      }),
    ),
  );
  app.get(
    `${REVIEW_PATH}/projects/:projectId/rules/:ruleId/edit`,
    signedIn((c, p) => {
      const projectId = c.req.param('projectId')!;
      const rule = engine.rules.get(p, projectId, c.req.param('ruleId')!);
      const said = c.req.query('done');
      const notice =
        said === 'saved'
          ? `Saved as version ${rule.version} (disabled until dry-run). Dry-run it below, then enable it.`
          : said === 'enabled'
            ? `Version ${rule.version} is enabled.`
            : undefined;
      return render(c, p, projectId, { ruleId: rule.id, draft: rule.definition as unknown as Draft, notice });
    }),
  );

  app.post(
    `${REVIEW_PATH}/projects/:projectId/rules/builder`,
    posted((c, p, form: Form) => {
      const projectId = c.req.param('projectId')!;
      const vocab = engine.rules.vocabulary();
      const one = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : '');
      const ruleId = one('ruleId') || null;
      let op = one('_op') || 'check';
      if (op === 'add-action') op = `add-action:${one('addKey')}`;
      const dry = { source: one('dry.source') || 'sample', target: one('dry.target').trim() };
      const read = draftFromForm(form, vocab);
      let { draft } = read;
      const problems: Problems = { ...read.problems };
      const state = (more: Partial<State>): State => ({ ruleId, draft, problems, dry, ...more });

      if (op === 'sync') {
        // builder.js while typing: the JSON view and every problem, without a page.
        return c.json({ json: JSON.stringify(draft, null, 2), problems: { ...checkProblems(p, projectId, draft, vocab), ...problems } });
      }
      if (structural.test(op)) return render(c, p, projectId, state({ draft: applyEdit(draft, op, vocab), problems }));
      if (op === 'from-json') {
        const text = one('json');
        try {
          const parsed = JSON.parse(text) as unknown;
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected one rule, a JSON object');
          draft = parsed as Draft;
          return render(c, p, projectId, { ruleId, draft, dry, problems: checkProblems(p, projectId, draft, vocab) });
        } catch (err) {
          return render(
            c,
            p,
            projectId,
            state({ json: text, problems: { json: `json: not usable (${(err as Error).message}); the form above is unchanged.` } }),
            400,
          );
        }
      }
      if (Object.keys(problems).length > 0 && op !== 'check')
        return render(c, p, projectId, state({ formError: 'Nothing was saved or run: fix the fields marked below.' }), 400);
      if (op === 'check') {
        const all = { ...checkProblems(p, projectId, draft, vocab), ...problems };
        return render(c, p, projectId, state({ problems: all, notice: Object.keys(all).length ? undefined : 'The rule is valid.' }));
      }
      if (op === 'save') {
        try {
          const { row } = ruleId ? engine.rules.update(p, projectId, ruleId, draft) : engine.rules.create(p, projectId, draft);
          return c.redirect(`${base(projectId)}/${encodeURIComponent(row.id)}/edit?done=saved`, 303);
        } catch (err) {
          const at = problemsOf(err, draft, vocab);
          if (!at) return failure(c, err);
          return render(c, p, projectId, state({ problems: at, formError: 'Nothing was saved: fix the fields marked below.' }), 400);
        }
      }
      if (op === 'dry-run' || op === 'enable' || op === 'run') {
        try {
          const saved = ruleId ? engine.rules.get(p, projectId, ruleId) : null;
          const checked = engine.rules.check(p, projectId, draft);
          if (!checked.ok) {
            return render(
              c,
              p,
              projectId,
              state({
                problems: checkProblems(p, projectId, draft, vocab),
                formError: 'The rule is not valid yet: fix the fields marked below.',
              }),
              400,
            );
          }
          // The saved version when the form is exactly it (a dry-run of it enables it); else the draft as it stands.
          const ofSaved = saved !== null && stableJson(checked.definition) === stableJson(saved.definition);
          const source = dry.source.startsWith('event:')
            ? { eventId: dry.source.slice('event:'.length) }
            : {
                event: ofSaved
                  ? engine.rules.previewEvent(p, projectId, saved.id, dry.target || null)
                  : engine.rules.sampleEvent(p, projectId, draft.trigger, dry.target || null),
              };
          if (op !== 'dry-run' && !ofSaved)
            return render(
              c,
              p,
              projectId,
              state({ formError: 'The form differs from the saved version: save it, dry-run it, then enable or run it.' }),
              409,
            );
          const plan = ofSaved
            ? engine.rules.dryRun(p, projectId, saved.id, source)
            : engine.rules.dryRunDraft(p, projectId, { draft, ...(ruleId ? { ruleId } : {}), ...source });
          const preview = { plan, ofSaved };
          if (op === 'dry-run') return render(c, p, projectId, state({ preview }));
          if (plan.hash !== one('hash'))
            return render(
              c,
              p,
              projectId,
              state({
                preview,
                formError:
                  'The plan changed since that preview (rules, the event or the state it read): here is the new one; press again to go with it.',
              }),
              409,
            );
          if (op === 'enable') {
            engine.rules.setEnabled(p, projectId, saved!.id, true);
            return c.redirect(`${base(projectId)}/${encodeURIComponent(saved!.id)}/edit?done=enabled`, 303);
          }
          const ran = engine.rules.run(p, projectId, saved!.id, { hash: plan.hash, ...source });
          return c.redirect(
            `${REVIEW_PATH}/projects/${encodeURIComponent(projectId)}/runs?rule=${encodeURIComponent(saved!.id)}#event-${encodeURIComponent(ran.eventId)}`,
            303,
          );
        } catch (err) {
          if (!isGreenlightError(err) || err.code === 'unauthorized' || err.code === 'forbidden') return failure(c, err);
          const details = err.details?.map((d) => `${d.path}: ${d.message}`).join('; ');
          return render(
            c,
            p,
            projectId,
            state({ formError: `${err.message}${details && !err.message.includes(details) ? ` (${details})` : ''}` }),
            statusOf(err.code),
          );
        }
      }
      return render(c, p, projectId, state({ formError: `Unknown button "${op}".` }), 400);
    }),
  );
}
