// Worker-thread entry: load TypeScript through tsx (whatever the parent used),
// then the job runner.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
