// A format writer turns an atlas layout into files (name → text), no I/O.
import type { AtlasLayout } from '../atlas/layout.js';

export interface FormatFile {
  /** File name relative to the atlas folder. */
  name: string;
  content: string;
}

export interface FormatOptions {
  /** Godot: res:// folder the atlas lives in once imported (default res://atlases/<atlasId>/). */
  godotResPath?: string;
}

export type FormatWriter = (layout: AtlasLayout, options: FormatOptions) => FormatFile[];

export const APP = 'https://github.com/greenlight/greenlight';
export const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
