/**
 * cdk-nag acknowledgements that name the exact finding. An IAM5 finding is named after the wildcard resource as
 * cdk-nag renders it (partition/region literal or `<AWS::Region>`, `<LogicalId.Arn>`…), which depends on the
 * stack's environment, so it is rendered here with cdk-nag's own function rather than written out by hand.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** Acknowledges one `Resource::<arn with *>` finding of AwsSolutions-IAM5 on the policy that holds it. */
export function acknowledgeWildcardResource(policy: IConstruct, resource: string, reason: string): void {
  const rendered = flattenCfnReference(Stack.of(policy).resolve(resource));
  Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}

/** Active tracing needs xray:PutTraceSegments/PutTelemetryRecords, which have no resource-level permissions. */
export function acknowledgeXRay(policy: IConstruct): void {
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) support no resource-level permissions; it is the only statement with Resource *.',
  });
}
