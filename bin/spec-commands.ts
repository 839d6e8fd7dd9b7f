// `greenlight project catalog …` and `greenlight spec …`: a project's catalogs (import / export, in one JSON file
// or the seed's layout: project.json + catalogs/*.json) and wishlists refined into specs, through the engine's door.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { catalogFromFiles, type Engine, type Principal } from '../engine/index.js';
import { line, parseJsonValue, print } from './options.js';

type WithEngine = <T>(
  fn: (engine: Engine, cli: Principal, flush: () => Promise<void>) => T | Promise<T>,
  withRedis?: boolean,
) => Promise<T>;

/** A catalog body from one JSON file, or from a folder in the seed's layout (project.json and catalogs/*.json). */
function readCatalog(from: string): unknown {
  const stat = fs.statSync(from, { throwIfNoEntry: false });
  if (!stat) throw new InvalidArgumentError(`${from}: no such file or folder; give a catalog .json or a folder with catalogs/`);
  if (stat.isFile()) return parseJsonValue(`@${from}`);
  const has = (rel: string) => fs.existsSync(path.join(from, rel));
  if (!has('project.json') && !has('catalogs'))
    throw new InvalidArgumentError(
      `${from} holds neither project.json nor catalogs/: give the project folder (the seed's layout) or one .json`,
    );
  return catalogFromFiles((rel) => (has(rel) ? parseJsonValue(`@${path.join(from, rel)}`) : undefined));
}

export function registerSpecCommands(project: Command, program: Command, withEngine: WithEngine): void {
  const catalog = project
    .command('catalog')
    .description("A project's catalogs: asset types, tag groups, palettes, checkpoints, LoRAs, defaults and the LoRA policy.");
  catalog
    .command('import <projectId> <fileOrFolder>')
    .description(
      'Import a new catalog version from one JSON file, or from a folder in the seed layout (project.json + catalogs/asset-types.json, tag-groups.json, palettes.json, checkpoints.json, loras.json). Parts left out are empty; a bad catalog changes nothing and each problem is named by path.',
    )
    .action(async (projectId: string, from: string) => {
      const body = readCatalog(from);
      await withEngine((engine, cli) => {
        const { version, catalog: c, files } = engine.specs.importCatalog(cli, projectId, body);
        line(
          `Catalog v${version} of ${projectId}: ${c.assetTypes.length} asset type(s), ${Object.keys(c.tagGroups).length} tag group(s), ` +
            `${c.palettes.length} palette(s), ${c.checkpoints.length} checkpoint(s), ${c.loras.length} LoRA(s); LoRAs ${c.policies.loraSelection}.`,
        );
        if (files.length > 0) line(`Wrote ${files.join(', ')} under the project folder.`);
      });
    });
  catalog
    .command('export <projectId>')
    .description('Write the catalog in force in the seed layout (project.json + catalogs/*.json), to keep it in git.')
    .option('--out <folder>', 'where to write (default: the project folder under GREENLIGHT_DATA_DIR)')
    .option('--json', 'print the catalog as one JSON document instead (what `catalog import` takes back)')
    .action(async (projectId: string, opts: { out?: string; json?: boolean }) => {
      await withEngine((engine, cli) => {
        if (opts.json) return print(engine.specs.getCatalog(cli, projectId).catalog);
        const out = engine.specs.exportCatalog(cli, projectId, opts.out ? path.resolve(opts.out) : undefined);
        line(`Catalog v${out.version} of ${projectId} written to ${out.dir}: ${out.files.join(', ')}`);
      });
    });

  const spec = program.command('spec').description('Wishlists (spec lists) and the specs they are refined into.');
  spec
    .command('add [text...]')
    .description(
      'Refine a wishlist into specs, one per asset: e.g. "3 knight characters, side view, 64 px, warm palette; 1 health potion prop". Each refined spec emits spec.refined; what cannot be read comes back as a question.',
    )
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--file <wishlist.txt>', 'read the wishlist from a file (one item per line)')
    .option('--reference <url...>', 'reference links kept with the list')
    .option('--json', 'print the list, specs and questions as the API gives them')
    .action(async (words: string[], opts: { project: string; file?: string; reference?: string[]; json?: boolean }) => {
      const text = opts.file ? fs.readFileSync(opts.file, 'utf8') : words.join(' ');
      if (!text.trim()) throw new InvalidArgumentError('give the wishlist as words or --file <wishlist.txt>');
      await withEngine(async (engine, cli, flush) => {
        const out = await engine.specs.addSpecList(
          cli,
          opts.project,
          { text, ...(opts.reference ? { references: opts.reference } : {}) },
          'cli',
        );
        await flush();
        if (opts.json) return print(out);
        line(`Spec list ${out.specList.id}: ${out.specs.length} spec(s), ${out.questions.length} question(s).`);
        for (const s of out.specs) {
          const g = s.body!.generationParams;
          line(`  ${s.id}  ${s.assetType}  ${g.width}×${g.height}  “${s.body!.prompt.positive}”`);
        }
        for (const q of out.questions) line(`  ? line ${q.line} “${q.text}”: ${q.question}`);
        if (out.questions.length > 0) line('Answer by adding the corrected lines as a new list (spec add …).');
      }, true);
    });
  spec
    .command('generate <specId>')
    .description(
      'Ask for variants of a spec (as the Generate button does): stores spec.generate_requested; a rule on it submits the generate job, which waits for an admin’s approval.',
    )
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--count <n>', "how many variants (default: the spec's)", (v) => Number(v))
    .action(async (specId: string, opts: { project: string; count?: number }) => {
      await withEngine(async (engine, cli, flush) => {
        const { event } = engine.specs.requestGenerate(
          cli,
          opts.project,
          specId,
          opts.count !== undefined ? { count: opts.count } : {},
          'cli',
        );
        await flush();
        line(`${event.type} ${event.id}: ${String(event.payload.count)} variant(s) of ${specId} asked for.`);
        const plan = engine.rules.dryRunAll(cli, opts.project, { eventId: event.id });
        const fired = plan.root.firings.map((f) => `${f.ruleName}${f.approval?.required ? ' (waits for an admin’s approval)' : ''}`);
        line(
          fired.length > 0
            ? `Rules that act on it: ${fired.join(', ')}.`
            : 'No enabled rule acts on spec.generate_requested yet: add one that enqueues generate with {"specId": "${event.payload.specId}", "count": "${event.payload.count}"} (README, Specs).',
        );
      }, true);
    });
  spec
    .command('list')
    .description("The project's specs, newest first.")
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--json', 'print them as the API gives them')
    .action(async (opts: { project: string; json?: boolean }) => {
      await withEngine((engine, cli) => {
        const specs = engine.specs.listSpecs(cli, opts.project);
        if (opts.json) return print(specs);
        if (specs.length === 0)
          return line(`No specs in ${opts.project} yet: greenlight spec add --project ${opts.project} "2 slime props"`);
        for (const s of specs) line(`${s.id}  ${s.assetType}  ${s.name || s.prompt.positive}`);
      });
    });
  spec
    .command('show <specId>')
    .description('One spec with its AssetSpec (prompt, models, generation parameters).')
    .requiredOption('--project <projectId>', 'project (required)')
    .action(async (specId: string, opts: { project: string }) => {
      await withEngine((engine, cli) => print(engine.specs.getSpec(cli, opts.project, specId)));
    });
}
