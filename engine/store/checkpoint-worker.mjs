// Runs SQLite WAL checkpoints on a connection of its own, in a worker thread,
// so their fsyncs never stall the engine's event loop (auto-checkpoint is off
// on the main connection). Plain JS: it must load without the TypeScript hook.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort?.postMessage({ error: String(err) });
  }
}, workerData.intervalMs);
parentPort?.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer);
    db.close();
    process.exit(0);
  }
});
