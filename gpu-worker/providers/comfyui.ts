// ComfyUI over its HTTP API: POST /prompt with the workflow (API format) whose
// ${…} placeholders are filled from the request, poll /history/{id} until the
// prompt has run, then fetch the first output image from /view.
import { JobInputError, UnavailableError } from '../errors.js';
import type { GenerateRequest, GeneratedImage, ImageProvider } from './types.js';

export interface ComfyOptions {
  baseUrl: string;
  pollMs?: number;
  timeoutMs?: number;
  clientId?: string;
}

/** Fill placeholders in a parsed workflow: a string that is exactly "${seed}" becomes the value itself (numbers stay numbers). */
export function fillWorkflow(template: string, values: Record<string, string | number | undefined>): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch (err) {
    throw new JobInputError(
      'workflowPath',
      `the workflow is not JSON (${(err as Error).message}); export it from ComfyUI with "Save (API Format)"`,
    );
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const whole = /^\$\{(\w+)\}$/.exec(v);
      if (whole) return values[whole[1]!] ?? v;
      return v.replace(/\$\{(\w+)\}/g, (m, k: string) => (values[k] === undefined ? m : String(values[k])));
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(parsed);
}

interface HistoryEntry {
  outputs?: Record<string, { images?: { filename: string; subfolder?: string; type?: string }[] }>;
  status?: { status_str?: string; completed?: boolean; messages?: unknown[] };
}

export function comfyProvider(opts: ComfyOptions): ImageProvider {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const pollMs = opts.pollMs ?? 500;
  const timeoutMs = opts.timeoutMs ?? 10 * 60_000;
  return {
    name: 'comfyui',
    async generate(req: GenerateRequest, index: number, signal?: AbortSignal): Promise<GeneratedImage> {
      if (!req.workflow) throw new JobInputError('workflowPath', 'the comfyui provider needs a workflow template');
      const seed = req.seed + index;
      const prompt = fillWorkflow(req.workflow, {
        prompt: req.prompt,
        negativePrompt: req.negativePrompt ?? '',
        seed,
        width: req.width,
        height: req.height,
        checkpointName: req.checkpointName,
        loraName: req.loraName,
      });
      const queued = await fetch(`${base}/prompt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt, client_id: opts.clientId ?? 'greenlight' }),
        signal,
      });
      const body = (await queued.json().catch(() => ({}))) as { prompt_id?: string; error?: { message?: string }; node_errors?: unknown };
      if (queued.status === 400)
        throw new JobInputError(
          'workflowPath',
          `ComfyUI refused the workflow: ${body.error?.message ?? 'invalid prompt'} ${JSON.stringify(body.node_errors ?? {})}`,
        );
      if (!queued.ok || !body.prompt_id) throw new Error(`ComfyUI POST /prompt answered ${queued.status}`);
      const id = body.prompt_id;
      const deadline = Date.now() + timeoutMs;
      let entry: HistoryEntry | undefined;
      while (!entry) {
        if (Date.now() > deadline) throw new Error(`ComfyUI prompt ${id} did not finish within ${timeoutMs} ms`);
        const res = await fetch(`${base}/history/${encodeURIComponent(id)}`, { signal });
        if (!res.ok) throw new Error(`ComfyUI GET /history answered ${res.status}`);
        const hist = (await res.json()) as Record<string, HistoryEntry>;
        const e = hist[id];
        if (e && (e.status?.completed || e.status?.status_str === 'error' || e.outputs)) entry = e;
        else await new Promise((r) => setTimeout(r, pollMs));
      }
      if (entry.status?.status_str === 'error')
        throw new JobInputError(
          'workflowPath',
          `ComfyUI failed running prompt ${id}: ${JSON.stringify(entry.status.messages ?? []).slice(0, 500)}`,
        );
      const image = Object.values(entry.outputs ?? {}).flatMap((o) => o.images ?? [])[0];
      if (!image) throw new JobInputError('workflowPath', `ComfyUI prompt ${id} produced no image; the workflow needs a SaveImage node`);
      const q = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder ?? '', type: image.type ?? 'output' });
      const view = await fetch(`${base}/view?${q}`, { signal });
      if (!view.ok) throw new Error(`ComfyUI GET /view answered ${view.status}`);
      return { png: Buffer.from(await view.arrayBuffer()), params: { promptId: id, seed, filename: image.filename } };
    },
  };
}

export function unavailableComfy(): ImageProvider {
  return {
    name: 'comfyui',
    generate() {
      return Promise.reject(
        new UnavailableError(
          'the comfyui provider needs COMFYUI_URL (e.g. http://127.0.0.1:8188) on the worker host; or use provider "procedural"',
        ),
      );
    },
  };
}
