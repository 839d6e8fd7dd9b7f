#!/usr/bin/env node
// Installed entry point: load TypeScript through tsx, then run the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./greenlight.ts');
