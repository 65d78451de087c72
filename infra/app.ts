#!/usr/bin/env node
// CDK entry point (cdk.json: "npx tsx infra/app.ts"). Configuration: CDK context, see README "Deploy".
import { createAffinityApp } from './affinity-app.js';
import { UserInputError } from '../functions/engine/types.js';

try {
  createAffinityApp().app.synth();
} catch (error) {
  if (!(error instanceof UserInputError)) throw error;
  console.error(`Error: ${error.message}\n  where: ${error.where ?? '-'}\n  fix:   ${error.hint ?? '-'}`);
  process.exitCode = 1;
}
