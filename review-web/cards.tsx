// A variant's card: its picture, status, who decided, and one plain form with
// every decision (note, Approve / Reject / Regenerate / Make primary, tag chips
// that toggle).
// The asset page and the compare page show the same card.
import type { AssetRow, VariantRow } from '../engine/index.js';
import type { Child } from 'hono/jsx';

/** An error said where it happened (screen readers announce it). */
export function Alert(props: { children: Child }) {
  return (
    <p class="error" role="alert">
      {props.children}
    </p>
  );
}

export const when = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '—');
export const statusLabel: Record<VariantRow['status'], string> = {
  pending: 'waiting for review',
  approved: 'approved',
  rejected: 'rejected',
  regenerate_requested: 'regeneration requested',
};

export interface CardOptions {
  base: string;
  asset: AssetRow;
  csrf: string;
  tagChoices: string[];
  /** A one-use key per form render, so a double submit records once. */
  formKey: () => string;
  thumb: (v: VariantRow) => string | null;
  /** The full-size picture (the compare page zooms into it). */
  original?: (v: VariantRow) => string | null;
  error?: { variantId: string; message: string } | undefined;
  /** Where the form returns after a decision (the compare page); default the asset page. */
  back?: string;
  /** Offer the "compare" check box (the asset page). */
  comparable?: boolean;
}

export function VariantCard(props: { v: VariantRow; index: number; o: CardOptions }) {
  const { v, index, o } = props;
  const src = o.thumb(v);
  const error = o.error && o.error.variantId === v.id ? o.error.message : null;
  return (
    <li id={`v-${v.id}`} class={`card ${v.status}`} tabindex={0}>
      {src ? <img src={src} alt={`variant ${index}`} loading="lazy" /> : <div class="noimg">no image</div>}
      <p>
        <strong>Variant {index}</strong> <code>{v.id}</code> {v.primary ? <span class="badge">primary</span> : null}
      </p>
      <p class="status">
        {statusLabel[v.status]}
        {v.decidedBy ? ` by ${v.decidedBy} at ${when(v.decidedAt)}` : ''}
      </p>
      {v.tags.length > 0 ? <p class="tags">Tags: {v.tags.join(', ')}</p> : null}
      {error ? <Alert>{error}</Alert> : null}
      {o.comparable ? (
        <label class="cmp">
          <input type="checkbox" name="v" value={v.id} form="compare" /> Compare
        </label>
      ) : null}
      <form method="post" action={`${o.base}/variants/${encodeURIComponent(v.id)}`} class="decide">
        <input type="hidden" name="_csrf" value={o.csrf} />
        <input type="hidden" name="key" value={o.formKey()} />
        {o.back ? <input type="hidden" name="back" value={o.back} /> : null}
        <div class="note">
          <label>
            Note <input type="text" name="note" maxlength={2000} />
          </label>
          {/* The form's first button: Enter in the note saves it, it never approves. */}
          <button name="decision" value="note">
            Save note
          </button>
        </div>
        <div class="buttons">
          <button name="decision" value="approve">
            Approve
          </button>
          <button name="decision" value="reject">
            Reject
          </button>
          <button name="decision" value="regenerate">
            Regenerate
          </button>
          <button name="decision" value="select">
            {v.primary ? 'Primary' : 'Make primary'}
          </button>
        </div>
        {o.tagChoices.length > 0 ? (
          <div class="chips" role="group" aria-label="Tags">
            {o.tagChoices.slice(0, 9).map((t) => (
              <button name={v.tags.includes(t) ? 'untag' : 'tags'} value={t} aria-pressed={v.tags.includes(t) ? 'true' : 'false'}>
                {t}
              </button>
            ))}
          </div>
        ) : null}
      </form>
    </li>
  );
}
