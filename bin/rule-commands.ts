// `greenlight rule …` and `greenlight run …`: import / export, list, show, dry-run, enable, disable
// and the trigger log, each through the engine's door as the local CLI principal. Lists print one
// line per row (`--json` for the rows as the API gives them).
import { InvalidArgumentError, type Command } from 'commander';
import type { Engine, Principal } from '../engine/index.js';
import { line, parseJsonOption, parseJsonValue, print } from './options.js';

type WithEngine = <T>(fn: (engine: Engine, cli: Principal) => T | Promise<T>) => Promise<T>;

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

/** A rule named on the command line: its id, or its name when no rule has that id (a name two rules share is refused). */
function ruleIdOf(engine: Engine, cli: Principal, projectId: string, ref: string): string {
  const rules = engine.rules.list(cli, projectId);
  if (rules.some((r) => r.id === ref)) return ref;
  const named = rules.filter((r) => r.name === ref);
  if (named.length === 1) return named[0]!.id;
  if (named.length > 1)
    throw new InvalidArgumentError(`${named.length} rules are named “${ref}” (${named.map((r) => r.id).join(', ')}): give the id`);
  return ref; // the door answers with what is missing
}

export function registerRuleCommands(program: Command, withEngine: WithEngine): void {
  const rule = program
    .command('rule')
    .description('Rules: import, export, list, show, dry-run, enable, disable, and their runs (log). A <rule> is its id or its name.');
  rule
    .command('import <file>')
    .description('Create rules from a JSON file holding one rule or an array of rules (imported disabled: dry-run, then enable).')
    .requiredOption('--project <projectId>', 'project to import into (required)')
    .action(async (file: string, opts: { project: string }) => {
      const body = parseJsonValue(`@${file}`);
      await withEngine((engine, cli) => {
        const list = Array.isArray(body) ? body : [body];
        print(
          list.map((r) => {
            const { row, warnings } = engine.rules.create(cli, opts.project, r);
            for (const w of warnings) process.stderr.write(`warning (${row.name}): ${w.message}\n`);
            return { id: row.id, version: row.version, warnings };
          }),
        );
      });
    });
  rule
    .command('export <rule>')
    .description('Print a rule as JSON.')
    .requiredOption('--project <projectId>', 'project the rule belongs to (required)')
    .action(async (ref: string, opts: { project: string }) => {
      await withEngine(async (engine, cli) => {
        const { toApiRule } = await import('../engine/index.js');
        print(toApiRule(engine.rules.get(cli, opts.project, ruleIdOf(engine, cli, opts.project, ref))));
      });
    });
  rule
    .command('list')
    .description("A project's rules: enabled, version, trigger, last run, runs and failures in the last 7 days.")
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--json', 'print the rules as the API gives them')
    .action(async (opts: { project: string; json?: boolean }) => {
      await withEngine((engine, cli) => {
        const rules = engine.rules.listWithStats(cli, opts.project, engine.now() - 7 * 24 * 3600 * 1000);
        if (opts.json) return print(rules);
        if (rules.length === 0) return line(`No rules in ${opts.project}: greenlight rule import <file> --project ${opts.project}`);
        for (const r of rules) {
          const t = r.definition.trigger as { event?: string; schedule?: string };
          const s = r.stats!;
          line(
            `${r.id}  ${r.enabled ? 'enabled ' : 'disabled'}  v${r.version}  ${t.event ?? `schedule ${t.schedule}`}  “${r.name}”  ` +
              `last run ${s.lastRunAt ? `${s.lastRunAt} (${s.lastStatus})` : 'never'}; 7 days: ${s.runs} runs, ${s.failures} failed`,
          );
        }
      });
    });
  rule
    .command('show <rule>')
    .description('Print a rule with its stats.')
    .requiredOption('--project <projectId>', 'project (required)')
    .action(async (ref: string, opts: { project: string }) => {
      await withEngine((engine, cli) => {
        const ruleId = ruleIdOf(engine, cli, opts.project, ref);
        const found = engine.rules.listWithStats(cli, opts.project).find((r) => r.id === ruleId);
        print(found ?? engine.rules.get(cli, opts.project, ruleId));
      });
    });
  rule
    .command('dry-run <rule>')
    .description(
      'What the rule would do, computed by the step machine that runs it: on a stored event (--event), on the event a decision on a variant would emit or on an asset (--on), or on a sample (--payload). Marks this version dry-run, so it can be enabled.',
    )
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--event <eventId>', 'a stored event to plan on')
    .option('--on <id>', 'a variant or asset id: the event its trigger would have there')
    .option('--payload <json>', 'a sample payload (JSON or @file.json) for the rule’s trigger', parseJsonOption)
    .option('--json', 'print the whole plan (the tree)')
    .action(async (ref: string, opts: { project: string; event?: string; on?: string; payload?: unknown; json?: boolean }) => {
      await withEngine((engine, cli) => {
        const ruleId = ruleIdOf(engine, cli, opts.project, ref);
        let body: unknown;
        if (opts.event) body = { eventId: opts.event };
        else {
          const sample = engine.rules.previewEvent(cli, opts.project, ruleId, opts.on ?? null);
          // A payload of one's own: its subject is inferred from it (variantId, assetId …), as for an emitted event.
          body = { event: opts.payload === undefined ? sample : { type: sample.type, payload: opts.payload } };
        }
        const plan = engine.rules.dryRun(cli, opts.project, ruleId, body);
        if (opts.json) return print(plan);
        const s = plan.summary;
        line(
          `${s.firings} firing(s), ${s.jobs} job(s), ${s.approvals} approval gate(s), cost ${Number(s.cost.toFixed(4))}` +
            `${s.skips ? `, ${s.skips} skip(s)` : ''}${s.stops ? `, ${s.stops} stop(s)` : ''}; plan ${plan.hash}`,
        );
        for (const f of plan.root.firings) {
          if (f.decision === 'skip') line(`  skips ${f.ruleName}: ${f.reason}${f.detail ? ` — ${f.detail}` : ''}`);
          else
            for (const st of f.steps ?? [])
              line(
                `  ${f.ruleName} / ${st.id}: ${st.jobType ?? st.type}${st.needsApproval ? ' (behind the approval)' : ''}` +
                  `${st.wouldFail ? ` — would fail: ${st.wouldFail}` : ''}${st.missing?.length ? ` — unresolved: ${st.missing.map((m) => m.placeholder).join(', ')}` : ''}`,
              );
        }
        const unresolved = plan.root.firings
          .filter((f) => f.ruleId === ruleId)
          .flatMap((f) => f.steps ?? [])
          .flatMap((st) => st.missing ?? []);
        if (unresolved.length)
          line(
            `Warning: ${[...new Set(unresolved.map((m) => m.placeholder))].join(', ')} unresolved on this event, so its steps ` +
              'would fail on such an event; dry-run on one that carries them (--event <id>, --on <variant or asset>, or --payload).',
          );
        else line(`Enable it: greenlight rule enable ${ruleId} --project ${opts.project}`);
      });
    });
  for (const on of [true, false])
    rule
      .command(`${on ? 'enable' : 'disable'} <rule>`)
      .description(on ? 'Enable a rule (its current version must have been dry-run).' : 'Disable a rule.')
      .requiredOption('--project <projectId>', 'project (required)')
      .action(async (ref: string, opts: { project: string }) => {
        await withEngine((engine, cli) => {
          const row = engine.rules.setEnabled(cli, opts.project, ruleIdOf(engine, cli, opts.project, ref), on);
          line(`${row.name} (${row.id}) version ${row.version} is ${row.enabled ? 'enabled' : 'disabled'}.`);
        });
      });
  rule
    .command('log <rule>')
    .description("A rule's runs, newest first (the trigger log).")
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--status <status>', 'only runs in this status')
    .option('--limit <n>', 'at most this many', (v) => Number(v), 20)
    .action(async (ref: string, opts: { project: string; status?: string; limit: number }) => {
      await withEngine((engine, cli) =>
        runLines(engine, cli, opts.project, { ruleId: ruleIdOf(engine, cli, opts.project, ref), status: opts.status, limit: opts.limit }),
      );
    });

  const run = program.command('run').description('Runs (the trigger log): list and show.');
  run
    .command('list')
    .description("A project's runs, newest first.")
    .requiredOption('--project <projectId>', 'project (required)')
    .option('--rule <rule>', 'only this rule’s runs (its id or name)')
    .option('--status <status>', 'only runs in this status')
    .option('--subject <id>', 'only runs on this subject')
    .option('--limit <n>', 'at most this many', (v) => Number(v), 20)
    .action(async (opts: { project: string; rule?: string; status?: string; subject?: string; limit: number }) => {
      await withEngine((engine, cli) =>
        runLines(engine, cli, opts.project, {
          ruleId: opts.rule && ruleIdOf(engine, cli, opts.project, opts.rule),
          status: opts.status,
          subjectId: opts.subject,
          limit: opts.limit,
        }),
      );
    });
  run
    .command('show <runId>')
    .description('A run: its cause, steps (status, job ids, errors, outputs) and downstream runs.')
    .requiredOption('--project <projectId>', 'project (required)')
    .action(async (runId: string, opts: { project: string }) => {
      await withEngine((engine, cli) => {
        const d = engine.runs.get(cli, opts.project, runId);
        print({
          run: { ...d.run, createdAt: iso(d.run.createdAt), startedAt: iso(d.run.startedAt), finishedAt: iso(d.run.finishedAt) },
          cause: d.event,
          steps: d.steps,
          approval: d.approval,
          downstream: d.downstream.map((r) => ({ id: r.id, ruleId: r.ruleId, status: r.status })),
        });
      });
    });
}

const runStatuses = ['planned', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled', 'halted', 'skipped'];

function runLines(
  engine: Engine,
  cli: Principal,
  projectId: string,
  f: { ruleId?: string | undefined; status?: string | undefined; subjectId?: string | undefined; limit: number },
) {
  if (f.status && !runStatuses.includes(f.status))
    throw Object.assign(new Error(`--status: '${f.status}' is not a run status; use one of ${runStatuses.join(', ')}`), {
      name: 'InvalidArgumentError',
    });
  if (!Number.isInteger(f.limit) || f.limit < 1)
    throw Object.assign(new Error('--limit: a whole number of at least 1'), { name: 'InvalidArgumentError' });
  if (f.ruleId) engine.rules.get(cli, projectId, f.ruleId); // an unknown rule says so, not "no runs"
  const runs = engine.runs.list(cli, projectId, {
    ...(f.ruleId ? { ruleId: f.ruleId } : {}),
    ...(f.status ? { status: f.status as 'succeeded' } : {}),
    ...(f.subjectId ? { subjectId: f.subjectId } : {}),
    limit: f.limit,
  });
  if (runs.length === 0) return line('No runs match.');
  for (const r of runs)
    line(
      `${r.id}  ${r.status.padEnd(17)}  ${iso(r.createdAt)}  rule ${r.ruleId} v${r.ruleVersion}  on ${r.subjectKind} ${r.subjectId}${r.error ? `  — ${r.error}` : ''}`,
    );
}
