// The review web's pages, server-rendered with hono/jsx. Every decision is a
// plain form (works without JavaScript); review.js only adds keyboard keys.
import type { Child } from 'hono/jsx';
import type { AssetRow, EventRow, HaltStatus, VariantRow } from '../engine/index.js';
import { Alert, VariantCard, when, type CardOptions } from './cards.js';

export interface PageContext {
  title: string;
  /** Fingerprinted asset URLs (style sheets, script); the automation pages add their own sheet. */
  assets: { css: string; js: string; automationCss: string; builderJs: string };
  /** Signed in: who, in which project, and the form token. */
  session: { who: string; role: string; projectId: string | null; csrf: string } | null;
  halts: HaltStatus[];
  /** The page's live stream (SSE): the page refreshes what changed. */
  live?: string | null;
}

export function Layout(props: { ctx: PageContext; children: Child; automation?: boolean; builder?: boolean }) {
  const { ctx } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{ctx.title} · Greenlight</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ctx.assets.css} />
        {props.automation ? <link rel="stylesheet" href={ctx.assets.automationCss} /> : null}
        <script src={ctx.assets.js} defer></script>
        {props.builder ? <script src={ctx.assets.builderJs} defer></script> : null}
      </head>
      <body data-live={ctx.live ?? undefined}>
        <header class="top">
          <a class="brand" href="/review">
            Greenlight
          </a>
          {ctx.session ? (
            <form method="post" action="/review/sign-out" class="who">
              <span>
                {ctx.session.who} · {ctx.session.role}
                {ctx.session.projectId ? ` · ${ctx.session.projectId}` : ''}
              </span>
              <input type="hidden" name="_csrf" value={ctx.session.csrf} />
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        {ctx.halts.length > 0 ? (
          <p class="halt" role="status">
            Automation halted ({ctx.halts.map((h) => `${h.scope}${h.ruleId ? ` ${h.ruleId}` : ''}: ${h.reason}, ${h.held} held`).join('; ')}
            )
          </p>
        ) : null}
        <main>{props.children}</main>
      </body>
    </html>
  );
}

export function SignInPage(props: { ctx: PageContext; error?: string | undefined; next?: string | undefined }) {
  return (
    <Layout ctx={props.ctx}>
      <h1>Sign in</h1>
      <p>
        Sign in with an API token (a project admin makes one with <code>greenlight token create &lt;project&gt; --role artist</code>), or
        open a review link Greenlight sent you.
      </p>
      {props.error ? <Alert>{props.error}</Alert> : null}
      <form method="post" action="/review/sign-in" class="stack">
        <label>
          API token <input type="password" name="token" autocomplete="off" required />
        </label>
        <label>
          Project id (for a global admin token) <input type="text" name="project" />
        </label>
        <input type="hidden" name="next" value={props.next ?? ''} />
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}

export function ErrorPage(props: { ctx: PageContext; heading: string; message: string }) {
  return (
    <Layout ctx={props.ctx}>
      <h1>{props.heading}</h1>
      <Alert>{props.message}</Alert>
      <p>
        <a href="/review/sign-in">Sign in</a>
      </p>
    </Layout>
  );
}

const counts = (variants: VariantRow[]) => {
  const c: Record<VariantRow['status'], number> = { pending: 0, approved: 0, rejected: 0, regenerate_requested: 0 };
  for (const v of variants) c[v.status]++;
  return c;
};

export function HomePage(props: {
  ctx: PageContext;
  projectId: string;
  assets: { asset: AssetRow; variants: VariantRow[] }[];
  decisions: EventRow[];
}) {
  const waiting = props.assets.filter((a) => a.variants.some((v) => v.status === 'pending'));
  return (
    <Layout ctx={props.ctx}>
      <h1>{props.projectId}</h1>
      <nav class="buttons" aria-label="Project">
        <a href={`/review/projects/${encodeURIComponent(props.projectId)}/specs`}>Specs</a>
        <a href={`/review/projects/${encodeURIComponent(props.projectId)}/rules`}>Rules</a>
        <a href={`/review/projects/${encodeURIComponent(props.projectId)}/approvals`}>Approvals</a>
        <a href={`/review/projects/${encodeURIComponent(props.projectId)}/halt`}>Automation (halt / resume)</a>
      </nav>
      <section aria-labelledby="waiting">
        <h2 id="waiting">Waiting for review ({waiting.length})</h2>
        {waiting.length === 0 ? <p>Nothing is waiting.</p> : null}
        <ul class="assets">
          {waiting.map(({ asset, variants }) => {
            const c = counts(variants);
            return (
              <li>
                <a href={`/review/projects/${encodeURIComponent(props.projectId)}/assets/${encodeURIComponent(asset.id)}`}>
                  <strong>{asset.name || asset.id}</strong> <span class="muted">{asset.type}</span>
                </a>
                <span class="counts">
                  {c.pending} waiting · {c.approved} approved · {c.rejected} rejected · {c.regenerate_requested} to regenerate
                </span>
              </li>
            );
          })}
        </ul>
      </section>
      <section aria-labelledby="recent">
        <h2 id="recent">Recent decisions</h2>
        <ul class="decisions">
          {props.decisions.map((e) => (
            <li>
              <code>{e.type}</code> on <code>{e.subjectId}</code> by {e.actor.id}{' '}
              <span class="muted">
                from {e.source} at {when(e.occurredAt)}
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="all">
        <h2 id="all">All assets</h2>
        <ul class="assets">
          {props.assets.map(({ asset, variants }) => (
            <li>
              <a href={`/review/projects/${encodeURIComponent(props.projectId)}/assets/${encodeURIComponent(asset.id)}`}>
                {asset.name || asset.id}
              </a>{' '}
              <span class="muted">{variants.length} variants</span>
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}

export function AssetPage(props: { ctx: PageContext; projectId: string; variants: VariantRow[]; card: CardOptions; assetError?: string }) {
  const { ctx, projectId, card } = props;
  const { asset } = card;
  const approved = props.variants.filter((v) => v.status === 'approved').length;
  return (
    <Layout ctx={ctx}>
      <p>
        <a href={card.base}>← {projectId}</a>
      </p>
      <h1>
        {asset.name || asset.id} <span class="muted">{asset.type}</span>
        {asset.status === 'approved' ? (
          <>
            {' '}
            <span class="badge ok">asset approved</span>
          </>
        ) : null}
      </h1>
      {/* The lead's call once the variants to keep are approved: asset.approved carries them to the rules. */}
      <form method="post" action={`${card.base}/assets/${encodeURIComponent(asset.id)}/approve`} class="buttons">
        <input type="hidden" name="_csrf" value={card.csrf} />
        <input type="hidden" name="key" value={card.formKey()} />
        <button type="submit" name="decision" value="approve" disabled={approved === 0}>
          Approve asset ({approved} approved variant{approved === 1 ? '' : 's'})
        </button>
      </form>
      {props.assetError ? <Alert>{props.assetError}</Alert> : null}
      <p class="muted keys">Keys: ←/→ or j/k move · a approve · x reject · r regenerate · p primary · 1–9 tags · c compare · ? help</p>
      <form id="compare" method="get" action={`${card.base}/assets/${encodeURIComponent(asset.id)}/compare`} class="buttons">
        <button type="submit">Compare the checked variants (2–4)</button>
      </form>
      <ol class="grid">
        {props.variants.map((v, i) => (
          <VariantCard v={v} index={i + 1} o={card} />
        ))}
      </ol>
    </Layout>
  );
}
