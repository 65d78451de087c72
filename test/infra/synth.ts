/** One synth of the Affinity app for a test file: no esbuild (bundling skipped), cdk-nag on as in `cdk synth`. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { App } from 'aws-cdk-lib';
import { createAffinityApp } from '../../infra/affinity-app.js';
import type { AffinityStack } from '../../infra/affinity-stack.js';

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

export interface Synthesized {
  app: App;
  stack: AffinityStack;
  template: Template;
  report: ValidationReport;
}

export function synthAffinity(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'affinity-cdk-'));
  const { app, stack } = createAffinityApp({ context: { 'aws:cdk:bundling-stacks': [], ...context }, outdir });
  app.synth(); // throws when cdk-nag reports an unacknowledged error
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return { app, stack, template: Template.fromStack(stack), report };
}

/** Every finding of a plugin (errors and warnings alike). */
export function findings(report: ValidationReport, pluginName: string): string[] {
  return report.pluginReports
    .filter((plugin) => plugin.pluginName === pluginName)
    .flatMap((plugin) =>
      plugin.violations.map(
        (violation) =>
          `${violation.severity} ${violation.ruleName} @ ${violation.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
      ),
    );
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
};

/** The statements of the inline policies attached to the role whose logical id starts with `rolePrefix`. */
export function roleStatements(template: Template, rolePrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(rolePrefix)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The one resource of `type` whose logical id is `prefix` (a construct path squashed) plus CDK's 8-hex hash. */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} with logical id ${prefix}<hash>, found ${ids.join(', ') || 'none'}`);
  return ids[0];
}
