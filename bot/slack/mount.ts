// /slack/events in the engine's Hono server: events, interactivity and slash
// commands on one URL. Bolt's HTTPReceiver verifies the signature and rejects
// stale timestamps; it accepts future ones, so this guard refuses any
// timestamp more than 5 minutes from now, either way, before Bolt reads a byte.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { HTTPReceiver } from '@slack/bolt';

export const SLACK_PATH = '/slack/events';
/** Slack's replay window: requests signed more than this far from now are refused. */
export const MAX_SKEW_SECONDS = 5 * 60;

export function mountSlack(app: Hono<any>, receiver: HTTPReceiver, deps: { now: () => number; logger: Logger }): void {
  app.post(SLACK_PATH, function slackEvents(c: Context) {
    const raw = c.req.header('x-slack-request-timestamp');
    const ts = Number(raw);
    const skew = Math.abs(deps.now() / 1000 - ts);
    if (!raw || !Number.isFinite(ts) || skew > MAX_SKEW_SECONDS) {
      deps.logger.warn(
        { timestamp: raw ?? null, skew: Number.isFinite(skew) ? Math.round(skew) : null },
        'slack request refused: X-Slack-Request-Timestamp missing or more than 5 minutes from now',
      );
      return c.json(
        {
          error: {
            code: 'unauthorized',
            message: 'X-Slack-Request-Timestamp is missing or more than 5 minutes from now (check the clock); request refused.',
          },
        },
        401,
      );
    }
    const env = c.env as { incoming?: IncomingMessage; outgoing?: ServerResponse } | undefined;
    if (!env?.incoming || !env.outgoing)
      return c.json({ error: { code: 'unavailable', message: 'The Slack endpoint needs the Node HTTP server.' } }, 503);
    // Slack always sends Content-Length, and the API's size cap (checked on it) must hold here too:
    // Bolt reads the body itself, with no limit of its own.
    if (env.incoming.headers['content-length'] === undefined) {
      deps.logger.warn('slack request refused: no Content-Length');
      return c.json({ error: { code: 'length_required', message: 'Send Content-Length (Slack always does); request refused.' } }, 411);
    }
    receiver.requestListener(env.incoming, env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });
}
