// What an image generation back end is asked for and gives back.

export interface GenerateRequest {
  prompt: string;
  negativePrompt?: string;
  seed: number;
  width: number;
  height: number;
  background: 'plain' | 'gradient' | 'mixed';
  writeMasks: boolean;
  checkpointName?: string;
  loraName?: string;
  /** comfyui: the workflow template's text (API format, with ${…} placeholders). */
  workflow?: string;
}

export interface GeneratedImage {
  png: Buffer;
  /** Ground-truth mask (8-bit grey PNG), where the provider knows it. */
  mask?: Buffer;
  /** Recorded in the variant's metadata: what made this image. */
  params: Record<string, unknown>;
}

export interface ImageProvider {
  readonly name: string;
  /** Image `index` (0-based) of a request; seed + index decide it. */
  generate(req: GenerateRequest, index: number, signal?: AbortSignal): Promise<GeneratedImage>;
}
