// The slash commands as Discord registers them (one bulk overwrite when they
// change), and their options read back as the text the shared parsers take.

/** The slash commands, as registered (one bulk overwrite). Subcommands and options map onto the shared parser's text. */
export const commandSet = [
  {
    name: 'rule',
    description: 'List, show, dry-run, enable or disable Greenlight rules, or see their log',
    options: [
      { type: 1, name: 'list', description: 'The project’s rules' },
      ...(['show', 'enable', 'disable', 'log'] as const).map((name) => ({
        type: 1,
        name,
        description: `${name[0]!.toUpperCase()}${name.slice(1)} a rule`,
        options: [{ type: 3, name: 'rule', description: 'Rule id or name', required: true, max_length: 200 }],
      })),
      {
        type: 1,
        name: 'dry-run',
        description: 'Preview what a rule would do, as if a reviewer pressed on a variant',
        options: [
          { type: 3, name: 'rule', description: 'Rule id or name', required: true, max_length: 200 },
          { type: 3, name: 'target', description: 'Variant or asset id (default: the rule’s own sample)', max_length: 200 },
        ],
      },
    ],
  },
  {
    name: 'halt',
    description: 'Emergency halt: stop automation (project, a rule, or everything)',
    options: [{ type: 3, name: 'args', description: '[rule <id> | global] <reason>', max_length: 500 }],
  },
  {
    name: 'resume',
    description: 'Resume after a halt (replay held firings, or discard them)',
    options: [{ type: 3, name: 'args', description: '[rule <id> | global] [discard]', max_length: 200 }],
  },
  {
    name: 'greenlight',
    description: 'Bind this channel to a Greenlight project, or post the halt panel',
    options: [
      {
        type: 1,
        name: 'bind',
        description: 'Bind this channel to a project',
        options: [
          { type: 3, name: 'project', description: 'Project id', required: true, max_length: 128 },
          {
            type: 3,
            name: 'purpose',
            description: 'review (default) or admin',
            choices: ['review', 'admin'].map((v) => ({ name: v, value: v })),
          },
        ],
      },
      { type: 1, name: 'panel', description: 'Post the emergency-halt panel here' },
    ],
  },
  {
    name: 'spec',
    description: 'Refine a wishlist into specs, posted with a Generate button each (leads)',
    options: [
      {
        type: 1,
        name: 'add',
        description: 'Add a wishlist: one asset (or "3 knights") per item, items between ;',
        options: [
          {
            type: 3,
            name: 'text',
            description: 'e.g. 3 knight characters, side view, 64 px, warm palette; 1 health potion prop',
            required: true,
            max_length: 6000,
          },
        ],
      },
    ],
  },
] as const;

/** Options of a command (subcommand, then its options) as the text the shared parsers take. */
export function commandText(options: { name: string; type: number; value?: unknown; options?: unknown[] }[] | undefined): string {
  const parts: string[] = [];
  for (const o of options ?? []) {
    if (o.type === 1 || o.type === 2) {
      parts.push(o.name, commandText(o.options as typeof options));
      continue;
    }
    if (o.name === 'purpose' && o.value === 'review') continue;
    if (o.value !== undefined && o.value !== null) parts.push(String(o.value));
  }
  return parts.filter((p) => p !== '').join(' ');
}
