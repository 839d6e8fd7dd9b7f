// Lint: the dependency rules of STYLE.md, and no import cycles.
//   engine/ imports no other top-level folder; gpu-worker/ only engine/jobs and engine/errors;
//   bot/ and review-web/ import engine only through engine/index.ts; bot/views imports no platform SDK; bot/slack never imports bot/discord (and back);
//   only engine/queue imports bullmq; only engine/store imports drizzle-orm / better-sqlite3.
import fs from 'node:fs';
import path from 'node:path';

const roots = ['engine', 'bot', 'gpu-worker', 'review-web', 'bin'];
const files = [];
const walk = (dir) => {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(ts|tsx)$/.test(e.name)) files.push(p);
  }
};
roots.forEach(walk);

const problems = [];
const graph = new Map();
const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
for (const file of files) {
  const src = fs.readFileSync(file, 'utf8');
  const deps = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('.')) {
      const target = path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '.ts');
      const resolved = fs.existsSync(target) ? target : target.replace(/\.ts$/, '.tsx');
      deps.push(resolved);
      const top = resolved.split(path.sep)[0];
      if (file.startsWith('engine/') && top !== 'engine') problems.push(`${file}: engine may not import ${resolved}`);
      if (file.startsWith('gpu-worker/') && top === 'engine' && !/^engine\/(jobs\/|errors\.ts)/.test(resolved))
        problems.push(`${file}: gpu-worker may only import engine/jobs and engine/errors, not ${resolved}`);
      if ((file.startsWith('bot/') || file.startsWith('review-web/')) && top === 'engine' && resolved !== path.join('engine', 'index.ts'))
        problems.push(`${file}: bot/ and review-web/ import engine only through engine/index.ts, not ${resolved}`);
      if (file.startsWith('bot/slack/') && resolved.startsWith('bot/discord/'))
        problems.push(`${file}: bot/slack may not import bot/discord`);
      if (file.startsWith('bot/discord/') && resolved.startsWith('bot/slack/'))
        problems.push(`${file}: bot/discord may not import bot/slack`);
    } else {
      if (/^bullmq/.test(spec) && !file.startsWith('engine/queue/') && !file.startsWith('gpu-worker/'))
        problems.push(`${file}: only engine/queue (and gpu-worker) import bullmq`);
      if (/^(drizzle-orm|better-sqlite3)/.test(spec) && !file.startsWith('engine/store/'))
        problems.push(`${file}: only engine/store imports ${spec}`);
      if (file.startsWith('bot/views/') && /^(@slack\/|discord\.js)/.test(spec)) problems.push(`${file}: bot/views may not import ${spec}`);
    }
  }
  graph.set(file, deps);
}

// Cycle check (type-only imports count too: they still tie modules together).
const state = new Map();
const stack = [];
const visit = (f) => {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (!graph.has(d)) continue;
    if (state.get(d) === 1) problems.push(`import cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' → ')}`);
    else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
};
for (const f of graph.keys()) if (!state.has(f)) visit(f);

if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} files, dependency rules and no cycles: ok`);
