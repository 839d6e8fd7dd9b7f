// bg_remove's model method: an ONNX salient-object segmentation model (U²-Net
// family: one 1×3×H×W float input normalised with ImageNet mean/std, a 1×1×H×W
// saliency output) through onnxruntime-node, on CUDA when the host has it.
// onnxruntime-node is optional (~290 MB) and loaded only here; the model file
// comes from configuration, never from a download.
import fs from 'node:fs';
import sharp from 'sharp';
import { UnavailableError } from '../errors.js';
import type { WorkerSettings } from '../processors/types.js';
import { alphaBox, type Rgba } from './io.js';
import type { Matte, MatteOptions } from './matte.js';

interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface Ort {
  InferenceSession: { create(path: string, opts: { executionProviders: string[] }): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
}

const sessions = new Map<string, Promise<{ ort: Ort; session: OrtSession }>>();

async function load(settings: WorkerSettings) {
  const file = settings.bgModelPath;
  if (!file)
    throw new UnavailableError(
      'method "model" is unavailable on this worker: set GREENLIGHT_BG_MODEL_PATH to an ONNX segmentation model (e.g. u2netp.onnx), or use method "classic"',
    );
  if (!fs.existsSync(file)) throw new UnavailableError(`method "model" is unavailable: GREENLIGHT_BG_MODEL_PATH=${file} does not exist`);
  let s = sessions.get(file);
  if (!s) {
    s = (async () => {
      const mod = 'onnxruntime-node';
      const ort = (await import(mod).catch(() => {
        throw new UnavailableError(
          'method "model" needs onnxruntime-node: npm install onnxruntime-node (offline: ONNXRUNTIME_NODE_INSTALL=skip; on a GPU host --onnxruntime-node-install-cuda=cuda12)',
        );
      })) as Ort;
      const providers = settings.gpu ? ['cuda', 'cpu'] : ['cpu'];
      return { ort, session: await ort.InferenceSession.create(file, { executionProviders: providers }) };
    })();
    sessions.set(file, s);
    s.catch(() => sessions.delete(file));
  }
  return s;
}

export async function modelMatte(img: Rgba, opts: MatteOptions, settings: WorkerSettings, size = 320): Promise<Matte> {
  const { ort, session } = await load(settings);
  const { data } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
    .removeAlpha()
    .resize(size, size, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mean = [0.485, 0.456, 0.406];
  const std = [0.229, 0.224, 0.225];
  const input = new Float32Array(3 * size * size);
  for (let i = 0; i < size * size; i++)
    for (let c = 0; c < 3; c++) input[c * size * size + i] = (data[i * 3 + c]! / 255 - mean[c]!) / std[c]!;
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, size, size]) });
  const pred = out[session.outputNames[0]!]!.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < size * size; i++) {
    lo = Math.min(lo, pred[i]!);
    hi = Math.max(hi, pred[i]!);
  }
  const mask = Buffer.alloc(size * size);
  for (let i = 0; i < size * size; i++) mask[i] = Math.round(((pred[i]! - lo) / (hi - lo || 1)) * 255);
  let alpha = sharp(mask, { raw: { width: size, height: size, channels: 1 } }).resize(img.width, img.height, { fit: 'fill' });
  if (opts.erode > 0) alpha = alpha.erode(opts.erode);
  if (opts.feather > 0) alpha = alpha.blur(Math.max(0.3, opts.feather));
  const a = await alpha.raw().toBuffer();
  const outImg = Buffer.from(img.data);
  for (let i = 0; i < img.width * img.height; i++) outImg[i * 4 + 3] = Math.round((a[i]! * img.data[i * 4 + 3]!) / 255);
  const image = { width: img.width, height: img.height, data: outImg };
  return { image, trim: alphaBox(image), background: [], thresholdUsed: null };
}
