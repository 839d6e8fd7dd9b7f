// `greenlight review …` and `greenlight asset …`: the review decisions a lead scripts, through the engine's door
// as the local CLI principal. Each decision's event is stored with it and queued now if REDIS_URL is reachable,
// else by the running engine (its outbox).
import { InvalidArgumentError, type Command } from 'commander';
import type { Engine, Principal } from '../engine/index.js';
import { line, print } from './options.js';

type WithEngine = <T>(
  fn: (engine: Engine, cli: Principal, flush: () => Promise<void>) => T | Promise<T>,
  withRedis?: boolean,
) => Promise<T>;

const decisions = ['approve', 'reject', 'regenerate', 'select'] as const;

type Variant = ReturnType<Engine['entities']['getVariant']>;
/** Oldest first, as generate made them: the order `<assetId>:<n>` counts in. */
const ordered = (vs: Variant[]) => [...vs].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));

/** A variant id, or `<assetId>:<n>` for the asset's n-th variant. */
function variantOf(engine: Engine, cli: Principal, projectId: string, ref: string): string {
  const m = /^(.+):(\d+)$/.exec(ref);
  if (!m) return ref;
  const vs = ordered(engine.entities.getAsset(cli, projectId, m[1]!).variants);
  const v = vs[Number(m[2]) - 1];
  if (!v) throw new InvalidArgumentError(`${ref}: asset ${m[1]} has ${vs.length} variant(s); number them 1 to ${vs.length}`);
  return v.id;
}

export function registerReviewCommands(program: Command, withEngine: WithEngine): void {
  program
    .command('review <decision> <variants...>')
    .description(
      `Review decisions on variants (${decisions.join(' | ')}), as a chat button or the review web makes them. ` +
        'A variant is its id or <assetId>:<n>, the n-th variant of the asset as `asset show` numbers them (oldest first).',
    )
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--note <text>', 'a note kept with each decision')
    .action(async (decision: string, refs: string[], opts: { project: string; note?: string }) => {
      await withEngine(async (engine, cli, flush) => {
        for (const ref of refs) {
          const variantId = variantOf(engine, cli, opts.project, ref);
          const { event } = engine.review(cli, opts.project, variantId, { decision, ...(opts.note ? { note: opts.note } : {}) }, 'cli');
          const v = engine.entities.getVariant(cli, opts.project, variantId);
          line(`${variantId} is ${v.status}${v.primary ? ' (primary)' : ''}: ${event.type} ${event.id}`);
        }
        await flush();
      }, true);
    });

  const asset = program.command('asset').description('Assets: show one with its variants, approve it once its variants are chosen.');
  asset
    .command('show <assetId>')
    .description('An asset and its variants (status, tags, files).')
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--json', 'print the asset as the API gives it')
    .action(async (assetId: string, opts: { project: string; json?: boolean }) => {
      await withEngine((engine, cli) => {
        const { asset: a, variants } = engine.entities.getAsset(cli, opts.project, assetId);
        if (opts.json) return print({ asset: a, variants });
        line(`${a.id}  ${a.type}  ${a.status}  ${variants.length} variant(s)`);
        for (const [i, v] of ordered(variants).entries())
          line(`  ${i + 1}. ${v.id}  ${v.status}${v.primary ? '  primary' : ''}${v.tags.length ? `  tags: ${v.tags.join(', ')}` : ''}`);
      });
    });
  asset
    .command('approve <assetId>')
    .description('Approve the asset as a whole: emits asset.approved with the ids of its approved variants (approve those first).')
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--note <text>', 'a note kept with the decision')
    .action(async (assetId: string, opts: { project: string; note?: string }) => {
      await withEngine(async (engine, cli, flush) => {
        const { event } = engine.reviewAsset(
          cli,
          opts.project,
          assetId,
          { decision: 'approve', ...(opts.note ? { note: opts.note } : {}) },
          'cli',
        );
        await flush();
        const ids = event.payload.variantIds as string[];
        line(`${assetId} is approved with ${ids.length} variant(s): ${ids.join(', ')} (${event.type} ${event.id})`);
      }, true);
    });
}
