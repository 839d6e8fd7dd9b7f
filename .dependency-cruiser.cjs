// Who may import whom (STYLE.md "Layout shows the architecture", habit 14), checked by
// dependency-cruiser over bin/ engine/ bot/ gpu-worker/ review-web/ tests/ scripts/ and drizzle.config.ts.
// `npm run lint:deps`. Every edge counts: static, dynamic `import()`, re-exports, side-effect
// imports (`import './x.js'`) and type-only imports (tsPreCompilationDeps) alike.
// Paths are matched relative to the repository root, e.g. `engine/index.ts`, `node_modules/bullmq/…`.

/** Module paths of a package as an import resolves them: its own folder or its @types. */
const pkg = (...names) => `^(node_modules/)?(@types/)?(${names.map((n) => n.replace(/[.]/g, '\\.')).join('|')})(/|$)`;

/** The engine's public doors. */
const ENGINE_INDEX = '^engine/index\\.ts$';
const ENGINE_TESTING = '^engine/testing(\\.ts$|/)'; // the test-only door (may not exist yet)
const ENGINE_JOBS = '^engine/jobs/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // ── engine ──────────────────────────────────────────────────────────────
    {
      name: 'engine-is-self-contained',
      comment:
        'engine/ imports no other top-level folder (bin, bot, gpu-worker, review-web, tests, scripts …): faces depend on the engine, never back.',
      severity: 'error',
      from: { path: '^engine/' },
      to: { dependencyTypes: ['local'], pathNot: '^engine/' },
    },
    {
      name: 'no-platform-sdk-in-engine-or-views',
      comment:
        'Platform SDK types must not leak into engine/ or bot/views/ (STYLE.md "Things to avoid"): views are platform-neutral view models.',
      severity: 'error',
      from: { path: '^(engine|bot/views)/' },
      to: { path: pkg('@slack', '@discordjs', 'discord.js') },
    },
    {
      name: 'views-are-platform-neutral',
      comment: 'bot/views/ is rendered by bot/slack and bot/discord; it never imports them.',
      severity: 'error',
      from: { path: '^bot/views/' },
      to: { path: '^bot/(slack|discord)/' },
    },

    // ── gpu-worker ──────────────────────────────────────────────────────────
    {
      name: 'gpu-worker-engine-contracts-only',
      comment: 'gpu-worker/ imports only engine/jobs/** (the job contracts) and engine/errors.ts from the engine.',
      severity: 'error',
      from: { path: '^gpu-worker/' },
      to: { path: '^engine/', pathNot: [ENGINE_JOBS, '^engine/errors\\.ts$'] },
    },
    {
      name: 'gpu-worker-no-faces',
      comment: 'gpu-worker/ is its own process: it imports no face (bin, bot, review-web).',
      severity: 'error',
      from: { path: '^gpu-worker/' },
      to: { path: '^(bin|bot|review-web)/' },
    },

    // ── faces: bot, review-web, bin ────────────────────────────────────────
    {
      name: 'faces-through-engine-index',
      comment: 'bot/, review-web/ and bin/ import the engine only through engine/index.ts (createEngine and its types).',
      severity: 'error',
      from: { path: '^(bot|review-web|bin)/' },
      to: { path: '^engine/', pathNot: ENGINE_INDEX },
    },
    {
      name: 'bot-not-review-web',
      comment: 'bot/ and review-web/ are sibling faces: neither imports the other.',
      severity: 'error',
      from: { path: '^bot/' },
      to: { path: '^review-web/' },
    },
    {
      name: 'review-web-not-bot',
      comment: 'bot/ and review-web/ are sibling faces: neither imports the other.',
      severity: 'error',
      from: { path: '^review-web/' },
      to: { path: '^bot/' },
    },
    {
      name: 'bot-and-review-web-no-processes',
      comment: 'bot/ and review-web/ do not import the CLI (bin/) or the worker process (gpu-worker/).',
      severity: 'error',
      from: { path: '^(bot|review-web)/' },
      to: { path: '^(bin|gpu-worker)/' },
    },
    {
      name: 'bin-through-doors',
      comment:
        'bin/ wires the processes together: besides engine/index.ts it may import gpu-worker/**, bot/index.ts and review-web/app.tsx (createApp) — never bot or review-web internals.',
      severity: 'error',
      from: { path: '^bin/' },
      to: { path: '^(bot|review-web)/', pathNot: ['^bot/index\\.ts$', '^review-web/app\\.tsx$'] },
    },
    {
      name: 'slack-not-discord',
      comment: 'bot/slack never imports bot/discord: shared code goes in bot/views or bot/commands.',
      severity: 'error',
      from: { path: '^bot/slack/' },
      to: { path: '^bot/discord/' },
    },
    {
      name: 'discord-not-slack',
      comment: 'bot/discord never imports bot/slack: shared code goes in bot/views or bot/commands.',
      severity: 'error',
      from: { path: '^bot/discord/' },
      to: { path: '^bot/slack/' },
    },

    // ── tests ───────────────────────────────────────────────────────────────
    {
      name: 'tests-through-engine-doors',
      comment:
        'tests/integration, helpers, bench and fixtures use the engine as a face does: engine/index.ts, the test door engine/testing.ts, and the job contracts engine/jobs/**. Only tests/unit/** may import any engine module.',
      severity: 'error',
      from: { path: '^tests/', pathNot: '^tests/unit/' },
      to: { path: '^engine/', pathNot: [ENGINE_INDEX, ENGINE_TESTING, ENGINE_JOBS] },
    },
    {
      name: 'testing-door-for-tests-only',
      comment: 'engine/testing.ts is the test-only door: nothing outside tests/ imports it.',
      severity: 'error',
      from: { pathNot: ['^tests/', ENGINE_TESTING] },
      to: { path: ENGINE_TESTING },
    },
    {
      name: 'production-not-tests-or-scripts',
      comment:
        'Shipped code (bin, bot, gpu-worker, review-web; engine/ by engine-is-self-contained) imports nothing from tests/ or scripts/.',
      severity: 'error',
      from: { path: '^(bin|bot|gpu-worker|review-web)/' },
      to: { path: '^(tests|scripts)/' },
    },

    // ── third-party packages with one home ─────────────────────────────────
    {
      name: 'bullmq-in-queue-only',
      comment:
        'Only engine/queue/** (and gpu-worker/**, a BullMQ worker process) import bullmq. tests/ are exempt: they stand up real BullMQ workers in place of a gpu-worker and inspect real queues (STYLE.md: never mock BullMQ).',
      severity: 'error',
      from: { pathNot: ['^engine/queue/', '^gpu-worker/', '^tests/'] },
      to: { path: pkg('bullmq') },
    },
    {
      name: 'drizzle-in-store-only',
      comment: 'Only engine/store/** imports drizzle-orm or better-sqlite3; everyone else goes through its repositories.',
      severity: 'error',
      from: { pathNot: '^engine/store/' },
      to: { path: pkg('drizzle-orm', 'better-sqlite3') },
    },
    {
      name: 'drizzle-kit-in-config-only',
      comment: 'drizzle-kit is a dev tool: only drizzle.config.ts imports it.',
      severity: 'error',
      from: { pathNot: '^drizzle\\.config\\.ts$' },
      to: { path: pkg('drizzle-kit') },
    },

    // ── graph hygiene ───────────────────────────────────────────────────────
    {
      name: 'no-circular',
      comment: 'No import cycles. Break one by moving the shared piece down a layer.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-through-types',
      comment:
        "A cycle that closes only through `import type` edges: gone at run time, but it still ties the modules together, so it counts (the old check-imports.mjs counted it too). Typical cause: an engine module importing a type from engine/index.ts, the faces' door — import it from the module that defines it.",
      severity: 'error',
      from: {},
      to: { circular: true, via: { dependencyTypes: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing on disk is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // See `import type` edges too: a type leak is still a leak.
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      // NodeNext: `./x.js` names `./x.ts`. dependency-cruiser retries a missing `./x.js` as `./x` with
      // the resolver's extension list, so TypeScript comes first: with the default order
      // gpu-worker/pool.ts → './thread.js' finds thread.mjs before thread.ts and reports "unresolvable".
      extensions: ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
