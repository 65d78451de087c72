#!/usr/bin/env node
// Entry point for the `affinity` command: loads the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

// The SDK warns on every run that its 2027 releases will need Node 22; the locked versions support Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../functions/cli/main.ts');
