// The runtime's stop() in a process with nothing else to keep it alive.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe('runtime', () => {
  it('GIVEN a started Greenlight THEN stop() finishes and the process exits 0 on its own', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'tests/fixtures/start-stop.ts'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.stdout.trim(), 'stopped', res.stderr);
    assert.equal(res.status, 0);
  });
});
