// Greenlight's own atlas JSON (documented in README, "Atlas data"): the whole
// layout — pages, frames with trim, pivot, rotation and duplicates, animations
// and the packing options. Always written; export re-renders every other format
// from it.
import type { AtlasLayout } from '../atlas/layout.js';
import { APP, json, type FormatWriter } from './types.js';

export const CUSTOM_FILE = 'atlas.greenlight.json';

export const customJson: FormatWriter = (layout: AtlasLayout) => [
  {
    name: CUSTOM_FILE,
    content: json({ format: 'greenlight-atlas', version: 1, generator: APP, ...layout }),
  },
];
