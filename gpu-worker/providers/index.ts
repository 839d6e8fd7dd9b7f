// Picks the image provider a generate job asked for.
import type { WorkerSettings } from '../processors/types.js';
import { comfyProvider, unavailableComfy } from './comfyui.js';
import { proceduralProvider } from './procedural.js';
import type { ImageProvider } from './types.js';

export function providerFor(name: 'procedural' | 'comfyui', settings: WorkerSettings): ImageProvider {
  if (name === 'procedural') return proceduralProvider;
  return settings.comfyuiUrl ? comfyProvider({ baseUrl: settings.comfyuiUrl }) : unavailableComfy();
}
