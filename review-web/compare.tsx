// The compare page: 2–4 variants of one asset side by side, or the first two
// stacked (wipe, onion skin, difference), with the same decision cards below.
// Without JavaScript it shows the pictures and the forms; review.js adds synced
// zoom (wheel, buttons, keys; up to 800 %, pixelated past 100 %) and pan, and
// the wipe / opacity slider.
import type { VariantRow } from '../engine/index.js';
import { Alert, VariantCard, statusLabel, type CardOptions } from './cards.js';
import { Layout, type PageContext } from './pages.js';

export const compareModes = { side: 'Side by side', wipe: 'Wipe', onion: 'Onion skin', diff: 'Difference' } as const;
export type CompareMode = keyof typeof compareModes;

export function ComparePage(props: {
  ctx: PageContext;
  projectId: string;
  /** The chosen variants with their number on the asset page. */
  chosen: { v: VariantRow; index: number }[];
  mode: CompareMode;
  /** The compare URL for a mode (same variants). */
  urlOf: (mode: CompareMode) => string;
  original: (v: VariantRow) => string | null;
  card: CardOptions;
  error?: string | undefined;
}) {
  const { ctx, chosen, mode, card } = props;
  const { asset } = card;
  const stacked = mode !== 'side';
  const [a, b] = chosen;
  const layer = (x: { v: VariantRow; index: number }, cls: string) => {
    const src = props.original(x.v);
    return (
      <div class={`layer ${cls}`}>
        {src ? <img src={src} alt={`variant ${x.index} of ${asset.id}`} draggable={false} /> : <span class="muted">no image</span>}
      </div>
    );
  };
  const caption = (x: { v: VariantRow; index: number }) =>
    `Variant ${x.index} · ${statusLabel[x.v.status]}${x.v.primary ? ' · primary' : ''}`;
  return (
    <Layout ctx={ctx}>
      <p>
        <a href={`${card.base}/assets/${encodeURIComponent(asset.id)}`}>← {asset.name || asset.id}</a>
      </p>
      <h1>Compare {asset.name || asset.id}</h1>
      {props.error ? <Alert>{props.error}</Alert> : null}
      <nav class="buttons modes" aria-label="Compare mode">
        {(Object.keys(compareModes) as CompareMode[]).map((m) => (
          <a href={props.urlOf(m)} aria-current={m === mode ? 'page' : undefined}>
            {compareModes[m]}
          </a>
        ))}
      </nav>
      {stacked && chosen.length > 2 ? <p class="muted">{compareModes[mode]} compares the first two chosen.</p> : null}
      <div class="buttons tools" data-needs-js hidden>
        <button type="button" data-zoom="out" aria-label="Zoom out">
          −
        </button>
        <output id="zoom-level" aria-live="polite" aria-label="Zoom">
          100%
        </output>
        <button type="button" data-zoom="in" aria-label="Zoom in">
          +
        </button>
        <button type="button" data-zoom="1" aria-label="Actual size">
          1:1
        </button>
        <button type="button" data-zoom="fit" aria-label="Fit">
          Fit
        </button>
        {mode === 'wipe' || mode === 'onion' ? (
          <label class="mix">
            {mode === 'wipe' ? 'Wipe position' : 'Opacity of B'} <input type="range" id="mix" min={0} max={100} value={50} />
          </label>
        ) : null}
        <span class="muted keys">wheel or + / − zoom · drag to pan · 0 actual size · f fit</span>
      </div>
      <div class={`stage mode-${mode}`} id="stage" data-mode={mode}>
        {stacked && a && b ? (
          <figure class="pane">
            <div class="view">
              {layer(a, 'a')}
              {layer(b, 'b')}
              {mode === 'wipe' ? <div class="wipe-line" aria-hidden="true"></div> : null}
            </div>
            <figcaption>
              A: {caption(a)} — B: {caption(b)}
            </figcaption>
          </figure>
        ) : (
          chosen.map((x) => (
            <figure class="pane">
              <div class="view">{layer(x, 'a')}</div>
              <figcaption>{caption(x)}</figcaption>
            </figure>
          ))
        )}
      </div>
      <ol class="grid">
        {chosen.map((x) => (
          <VariantCard v={x.v} index={x.index} o={card} />
        ))}
      </ol>
    </Layout>
  );
}
