// POST /discord/interactions in the engine's Hono server, for deployments that
// set an Interactions Endpoint URL (then Discord sends interactions here, not
// over the gateway). Every request is verified first: Ed25519 over
// timestamp + raw body with the application's public key (node:crypto); a bad
// or missing signature is a 401 and nothing is read further — Discord probes
// the endpoint with bad signatures on purpose. The body is capped.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { fromRaw, type Answer, type DiscordInteraction, type InteractionHandler } from './interactions.js';

export const DISCORD_PATH = '/discord/interactions';
/** Interactions are small; anything larger is not one. */
export const MAX_INTERACTION_BYTES = 64 * 1024;

/** An Ed25519 public key from the 64 hex characters the Developer Portal shows (SPKI: a fixed prefix + the key). */
export function discordPublicKey(hex: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

export function verifyDiscord(key: KeyObject, signature: string | undefined, timestamp: string | undefined, body: Buffer): boolean {
  if (!signature || !timestamp || !/^[0-9a-f]{128}$/i.test(signature)) return false;
  try {
    return verify(null, Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, Buffer.from(signature, 'hex'));
  } catch {
    return false;
  }
}

async function rawBody(c: Context): Promise<Buffer | 'too_large'> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_INTERACTION_BYTES) return 'too_large';
  if (!incoming || incoming.readableEnded || incoming.readableDidRead) {
    const buf = Buffer.from(await c.req.arrayBuffer());
    return buf.length > MAX_INTERACTION_BYTES ? 'too_large' : buf;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INTERACTION_BYTES) return 'too_large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function mountDiscord(
  app: Hono<any>,
  deps: {
    publicKey: string;
    handler: InteractionHandler;
    logger: Logger;
    /** What follows the answer (follow-up messages, edits): called once the response is on its way. */
    afterAnswer: (interaction: DiscordInteraction, answer: Answer) => void;
  },
): void {
  const key = discordPublicKey(deps.publicKey);
  const refuse = (c: Context, status: 401 | 400 | 413, code: string, message: string) => c.json({ error: { code, message } }, status);
  app.post(DISCORD_PATH, async function discordInteractions(c: Context) {
    const body = await rawBody(c);
    if (body === 'too_large') return refuse(c, 413, 'payload_too_large', `An interaction is at most ${MAX_INTERACTION_BYTES} bytes.`);
    if (!verifyDiscord(key, c.req.header('x-signature-ed25519'), c.req.header('x-signature-timestamp'), body)) {
      deps.logger.warn('discord interaction refused: bad or missing signature');
      return refuse(c, 401, 'unauthorized', 'Bad or missing X-Signature-Ed25519 / X-Signature-Timestamp; request refused.');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch {
      return refuse(c, 400, 'bad_json', 'The interaction body is not JSON.');
    }
    const interaction = fromRaw(raw);
    if (!interaction) return refuse(c, 400, 'bad_interaction', 'Not an interaction: id, token and type are required.');
    const answer = await deps.handler.handle(interaction);
    // Whatever comes after the answer waits until the response is on its way.
    setImmediate(() => deps.afterAnswer(interaction, answer));
    return c.json(answer.response);
  });
}
