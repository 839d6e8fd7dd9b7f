// The review web's pages, server-rendered with hono/jsx. Every decision is a
// plain form (works without JavaScript); review.js only adds keyboard keys.
import type { Child } from 'hono/jsx';
import type { AssetRow, EventRow, HaltStatus, VariantRow } from '../engine/index.js';

export interface PageContext {
  title: string;
  /** Fingerprinted asset URLs (style sheet, script). */
  assets: { css: string; js: string };
  /** Signed in: who, in which project, and the form token. */
  session: { who: string; role: string; projectId: string | null; csrf: string } | null;
  halts: HaltStatus[];
  /** The page's live stream (SSE): the page refreshes what changed. */
  live?: string | null;
}

const when = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');
const statusLabel: Record<VariantRow['status'], string> = {
  pending: 'waiting for review',
  approved: 'approved',
  rejected: 'rejected',
  regenerate_requested: 'regeneration requested',
};

export function Layout(props: { ctx: PageContext; children: Child }) {
  const { ctx } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{ctx.title} · Greenlight</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={ctx.assets.css} />
        <script src={ctx.assets.js} defer></script>
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
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
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
      <p class="error" role="alert">
        {props.message}
      </p>
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

export function AssetPage(props: {
  ctx: PageContext;
  projectId: string;
  asset: AssetRow;
  variants: VariantRow[];
  tagChoices: string[];
  /** A one-use key per form render, so a double submit records once. */
  formKey: () => string;
  thumb: (v: VariantRow) => string | null;
  error?: { variantId: string; message: string } | undefined;
}) {
  const { ctx, projectId, asset } = props;
  const base = `/review/projects/${encodeURIComponent(projectId)}`;
  return (
    <Layout ctx={ctx}>
      <p>
        <a href={base}>← {projectId}</a>
      </p>
      <h1>
        {asset.name || asset.id} <span class="muted">{asset.type}</span>
      </h1>
      <p class="muted keys">Keys: ←/→ or j/k move · a approve · x reject · r regenerate · p primary · 1–9 tags · ? help</p>
      <ol class="grid">
        {props.variants.map((v, i) => {
          const src = props.thumb(v);
          const error = props.error && props.error.variantId === v.id ? props.error.message : null;
          return (
            <li id={`v-${v.id}`} class={`card ${v.status}`} tabindex={0} data-variant={v.id}>
              {src ? (
                <img src={src} alt={`variant ${i + 1} of ${asset.id}`} width={256} height={256} loading="lazy" />
              ) : (
                <div class="noimg">no image</div>
              )}
              <p>
                <strong>Variant {i + 1}</strong> <code>{v.id}</code> {v.primary ? <span class="badge">primary</span> : null}
              </p>
              <p class="status">
                {statusLabel[v.status]}
                {v.decidedBy ? ` by ${v.decidedBy} at ${when(v.decidedAt)}` : ''}
              </p>
              {v.tags.length > 0 ? <p class="tags">Tags: {v.tags.join(', ')}</p> : null}
              {error ? (
                <p class="error" role="alert">
                  {error}
                </p>
              ) : null}
              <form method="post" action={`${base}/variants/${encodeURIComponent(v.id)}`} class="decide">
                <input type="hidden" name="_csrf" value={ctx.session?.csrf ?? ''} />
                <input type="hidden" name="key" value={props.formKey()} />
                <label class="note">
                  Note <input type="text" name="note" maxlength={2000} />
                </label>
                <div class="buttons">
                  <button name="decision" value="approve" data-key="a">
                    Approve
                  </button>
                  <button name="decision" value="reject" data-key="x">
                    Reject
                  </button>
                  <button name="decision" value="regenerate" data-key="r">
                    Regenerate
                  </button>
                  <button name="decision" value="select" data-key="p">
                    {v.primary ? 'Primary' : 'Make primary'}
                  </button>
                </div>
              </form>
              {props.tagChoices.length > 0 ? (
                <form method="post" action={`${base}/variants/${encodeURIComponent(v.id)}`} class="chips" aria-label="Tags">
                  <input type="hidden" name="_csrf" value={ctx.session?.csrf ?? ''} />
                  <input type="hidden" name="key" value={props.formKey()} />
                  <input type="hidden" name="decision" value="tag" />
                  {props.tagChoices.slice(0, 9).map((t, n) => (
                    <button name="tags" value={t} aria-pressed={v.tags.includes(t) ? 'true' : 'false'} data-key={String(n + 1)}>
                      {t}
                    </button>
                  ))}
                </form>
              ) : null}
            </li>
          );
        })}
      </ol>
    </Layout>
  );
}
