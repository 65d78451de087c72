/**
 * The single model table (layout in functions/adapters/dynamo/keys.ts): string `pk`/`sk`, TTL on `expiresAt`
 * (job records expire), on-demand billing (a build writes in bursts, the API reads in bursts: nothing to size),
 * point-in-time recovery (restorable to any second of the last `pointInTimeRecoveryDays`, 1–35), and encryption with the AWS-managed key (aws/dynamodb), whose every use is recorded in
 * CloudTrail, at no key cost.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TTL_ATTRIBUTE } from '../../functions/adapters/dynamo/table.js';

export interface ModelTableProps {
  removalPolicy: RemovalPolicy;
  /** The PITR window: how long deleted or overwritten items stay restorable (README "Purging a user"). */
  pointInTimeRecoveryDays: number;
}

export class ModelTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ModelTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        recoveryPeriodInDays: props.pointInTimeRecoveryDays,
      },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy,
      deletionProtection: props.removalPolicy === RemovalPolicy.RETAIN,
    });
  }
}
