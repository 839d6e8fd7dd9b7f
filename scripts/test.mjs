// Runs every tests/**/*.test.ts with node's test runner (through tsx).
// Node 20's --test takes no globs, so the files are listed here. A test that hangs fails after
// 2 minutes with its name, instead of holding CI until its own limit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const only = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts') && (only.length === 0 || only.some((o) => p.includes(o)))) files.push(p);
  }
};
walk('tests');
if (files.length === 0) {
  console.error('no test files found under tests/');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=120000', ...files.sort()], {
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
