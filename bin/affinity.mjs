#!/usr/bin/env node
// Entry point for the `affinity` command: loads the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../functions/cli/main.ts');
