// The specs page: wishlists as written (spec lists), the questions the refiner asks about
// lines it could not read, and the specs it made, each with a Generate form. Plain forms;
// the engine checks the lead role when a wishlist is added or a spec is generated.
import type { ApiSpec, SpecListRow } from '../engine/index.js';
import { Alert, when } from './cards.js';
import { Layout, type PageContext } from './pages.js';

export interface SpecListView {
  list: SpecListRow;
  specs: ApiSpec[];
}

const short = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function SpecRow(props: { spec: ApiSpec; base: string; csrf: string; formKey: string }) {
  const { spec } = props;
  const b = spec.body;
  const g = b?.generationParams;
  return (
    <li class="spec">
      <div>
        <p>
          <strong>{spec.name || spec.id}</strong> <span class="muted">{spec.assetType}</span>
          {g ? ` · ${g.width}×${g.height} · ${g.variants} variants` : ''}
          {b?.camera ? ` · ${b.camera}` : ''}
          {b?.palette ? ` · ${b.palette.name} palette` : ''}
        </p>
        <p class="muted">{short(spec.prompt.positive)}</p>
        {b ? (
          <p class="muted">
            {b.checkpointId ? `checkpoint ${b.checkpointId}` : 'no checkpoint in the catalog'} · LoRAs{' '}
            {b.loraPolicy.loraIds.length > 0 ? b.loraPolicy.loraIds.join(', ') : 'none'} ({b.loraPolicy.selection}) · {spec.id}
          </p>
        ) : null}
      </div>
      <form method="post" action={`${props.base}/specs/${encodeURIComponent(spec.id)}/generate`} class="buttons">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <input type="hidden" name="key" value={props.formKey} />
        <label>
          Variants <input type="number" name="count" min={1} max={64} value={String(g?.variants ?? 4)} class="narrow" />
        </label>
        <button type="submit">Generate</button>
      </form>
    </li>
  );
}

export function SpecsPage(props: {
  ctx: PageContext;
  projectId: string;
  lists: SpecListView[];
  formKey: () => string;
  /** What the last Generate press did (shown once, after the redirect). */
  notice?: string | undefined;
  error?: string | undefined;
  /** The wishlist as typed when adding it failed, kept in the box. */
  draft?: string | undefined;
}) {
  const base = `/review/projects/${encodeURIComponent(props.projectId)}`;
  const csrf = props.ctx.session?.csrf ?? '';
  return (
    <Layout ctx={props.ctx}>
      <p>
        <a href={base}>← {props.projectId}</a>
      </p>
      <h1>Specs</h1>
      {props.notice ? (
        <p class="notice" role="status">
          {props.notice}
        </p>
      ) : null}
      {props.error ? <Alert>{props.error}</Alert> : null}
      <form method="post" action={`${base}/spec-lists`} class="stack">
        <input type="hidden" name="_csrf" value={csrf} />
        <label>
          Wishlist, one asset (or “3 knights”) per line
          <textarea
            name="text"
            rows={5}
            required
            maxlength={20000}
            placeholder="3 knight characters, side view, 64 px, warm palette&#10;1 health potion prop"
          >
            {props.draft ?? ''}
          </textarea>
        </label>
        <button type="submit">Refine into specs</button>
      </form>
      {props.lists.length === 0 ? <p>No wishlist yet: write one above, or run greenlight spec add.</p> : null}
      {props.lists.map(({ list, specs }) => (
        <section aria-labelledby={list.id} class="spec-list">
          <h2 id={list.id}>
            {list.id}{' '}
            <span class={`badge ${list.status === 'refined' ? 'ok' : 'warn'}`}>
              {list.status === 'refined' ? 'refined' : 'needs answers'}
            </span>
          </h2>
          <p class="muted">
            by {list.createdBy} at {when(list.createdAt)} · catalog v{list.catalogVersion} · refiner {list.refiner} · {specs.length} spec
            {specs.length === 1 ? '' : 's'}
          </p>
          <pre class="wishlist">{list.text}</pre>
          {list.questions.length > 0 ? (
            <>
              <h3>Questions</h3>
              <ul class="questions">
                {(list.questions as { line: number; text: string; question: string }[]).map((q) => (
                  <li>
                    Line {q.line} “{q.text}”: {q.question}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <ul class="assets">
            {specs.map((s) => (
              <SpecRow spec={s} base={base} csrf={csrf} formKey={props.formKey()} />
            ))}
          </ul>
        </section>
      ))}
    </Layout>
  );
}
