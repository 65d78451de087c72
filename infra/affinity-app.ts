/**
 * Builds the CDK app: config from context, the stack, and cdk-nag's AWS Solutions checks as a validation plugin,
 * so every synth (CLI and tests alike) fails on any finding that is neither fixed nor acknowledged with a reason.
 */
import { readFileSync } from 'node:fs';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AffinityStack } from './affinity-stack.js';
import { readAffinityConfig } from './config.js';
import { PROJECT_ROOT } from './constructs/bundled-function.js';

/**
 * cdk.json's context (the pinned feature flags): the CLI passes it to the app, but an in-process App (tests)
 * would not see it, so it is applied here as the defaults under whatever context the caller gives.
 */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(`${PROJECT_ROOT}cdk.json`, 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export function createAffinityApp(props: AppProps = {}): { app: App; stack: AffinityStack } {
  const app = new App({ ...props, context: { ...cdkJsonContext(), ...props.context } });
  const config = readAffinityConfig(app.node);
  const stack = new AffinityStack(app, config.stackName, {
    config,
    description: 'Affinity: explainable collaborative-filtering recommendations (S3 upload -> DynamoDB -> HTTPS API)',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
