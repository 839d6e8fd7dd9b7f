// Slash-command text → a command, or usage help. Pure.

export const ruleUsage = [
  '*Usage*',
  '`/rule list` — the project’s rules',
  '`/rule show <rule>` — one rule’s definition',
  '`/rule dry-run <rule> [variant or asset id]` — preview the whole chain, nothing runs',
  '`/rule enable <rule>` · `/rule disable <rule>` (lead or admin; enabling needs a dry-run first)',
  '`/rule log <rule>` — recent runs and their outcomes',
  '`<rule>` is a rule id or name.',
].join('\n');

export const haltUsage =
  '*Usage*: `/halt [project|rule <rule>|all] [reason]` (admins). `/resume [project|rule <rule>|all] [discard]` lifts it; `discard` drops the held firings instead of replaying them.';

export const greenlightUsage =
  '*Usage*: `/greenlight bind <projectId> [admin]` binds this channel to a project (for review, or with `admin` for approval requests and the halt panel); `/greenlight panel` posts the emergency-halt panel here.';

export const specUsage = [
  '*Usage*: `/spec add <wishlist>` (lead or admin) — one asset, or "3 knights", per line or between `;`, e.g.',
  '`/spec add 3 knight characters, side view, 64 px, warm palette; 1 health potion prop`',
  'Greenlight refines it into specs and posts them with a *Generate* button each; generation waits for an admin’s approval.',
].join('\n');

export type SpecCommand = { sub: 'add'; text: string };

export type RuleCommand =
  { sub: 'list' } | { sub: 'show' | 'enable' | 'disable' | 'log'; rule: string } | { sub: 'dry-run'; rule: string; target: string | null };

export type Parsed<T> = { ok: true; command: T } | { ok: false; usage: string; problem: string | null };

const words = (text: string) => text.trim().split(/\s+/).filter(Boolean);

export function parseRule(text: string): Parsed<RuleCommand> {
  const [sub, ...rest] = words(text);
  const bad = (problem: string | null): Parsed<RuleCommand> => ({ ok: false, usage: ruleUsage, problem });
  if (!sub || sub === 'help') return bad(null);
  if (sub === 'list') return { ok: true, command: { sub } };
  if (sub === 'show' || sub === 'enable' || sub === 'disable' || sub === 'log') {
    if (rest.length === 0) return bad(`\`/rule ${sub}\` needs a rule id or name.`);
    return { ok: true, command: { sub, rule: rest.join(' ') } };
  }
  if (sub === 'dry-run' || sub === 'dryrun') {
    if (rest.length === 0) return bad('`/rule dry-run` needs a rule id or name.');
    // The last word is a variant / asset id when there are two or more words and it looks like one.
    const target = rest.length > 1 && /^[A-Za-z0-9_.-]+$/.test(rest.at(-1)!) ? rest.at(-1)! : null;
    return { ok: true, command: { sub: 'dry-run', rule: (target ? rest.slice(0, -1) : rest).join(' '), target } };
  }
  return bad(`Unknown subcommand \`${sub}\`.`);
}

export interface HaltCommand {
  scope: 'global' | 'project' | 'rule';
  rule: string | null;
  rest: string;
}

export function parseHaltScope(text: string): HaltCommand {
  const [first, second, ...more] = words(text);
  if (first === 'all') return { scope: 'global', rule: null, rest: [second, ...more].filter(Boolean).join(' ') };
  if (first === 'rule' && second) return { scope: 'rule', rule: second, rest: more.join(' ') };
  if (first === 'project') return { scope: 'project', rule: null, rest: [second, ...more].filter(Boolean).join(' ') };
  return { scope: 'project', rule: null, rest: text.trim() };
}

export type GreenlightCommand = { sub: 'bind'; projectId: string; purpose: 'review' | 'admin' } | { sub: 'panel' };

export function parseGreenlight(text: string): Parsed<GreenlightCommand> {
  const [sub, arg, purpose] = words(text);
  if (sub === 'bind' && arg) {
    if (purpose && purpose !== 'admin' && purpose !== 'review')
      return { ok: false, usage: greenlightUsage, problem: `\`${purpose}\` is not a purpose: use \`admin\` or leave it out.` };
    return { ok: true, command: { sub: 'bind', projectId: arg, purpose: purpose === 'admin' ? 'admin' : 'review' } };
  }
  if (sub === 'panel') return { ok: true, command: { sub: 'panel' } };
  return { ok: false, usage: greenlightUsage, problem: sub ? `Unknown subcommand \`${sub}\`.` : null };
}

/** `/spec add <text>`: the wishlist keeps its line breaks (one asset per line). */
export function parseSpec(text: string): Parsed<SpecCommand> {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  const sub = m?.[1];
  const rest = (m?.[2] ?? '').trim();
  if (!sub || sub === 'help') return { ok: false, usage: specUsage, problem: null };
  if (sub !== 'add') return { ok: false, usage: specUsage, problem: `Unknown subcommand \`${sub}\`.` };
  if (!rest) return { ok: false, usage: specUsage, problem: '`/spec add` needs the wishlist: what to make, one asset per line.' };
  return { ok: true, command: { sub: 'add', text: rest } };
}
