/**
 * The build function: an object created under uploads/ starts it (asynchronously, by S3); it reads the upload,
 * writes the model rows to the table and a report under reports/. Lambda retries a failed invocation a bounded
 * number of times, then parks the event in an encrypted dead-letter queue (alarmed on in ./alarms.ts).
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEPLOYMENT_SETTINGS, LIMIT_NAMES } from '../../functions/engine/ingest/limits.js';
import { BUNDLED_APPROXIMATE_EASE_WORKER_FILE } from '../../functions/engine/ease/approximate/pool.js';
import { BUNDLED_EASE_WORKER_FILE } from '../../functions/engine/ease/pool.js';
import { BUNDLED_WORKER_FILE } from '../../functions/engine/similarity/pool.js';
import { BUNDLED_CONTENT_WORKER_FILE } from '../../functions/engine/content/pool.js';
import type { BuildFunctionSettings } from '../config.js';
import { BundledFunction, type PowertoolsSettings } from './bundled-function.js';
import type { IdHashKey } from './id-hash-key.js';
import { acknowledgeWildcardResource, acknowledgeXRay } from './nag.js';
import { EVENTS_PREFIX, REPORTS_PREFIX, UPLOADS_PREFIX } from '../../functions/adapters/bucket-layout.js';

/** Everything the build does to the table (functions/adapters/dynamo): keep in step with the adapter. */
export const BUILD_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** The worker scripts the build bundle ships beside its handler (file -> entry), so each kernel uses every vCPU. */
export const BUILD_WORKER_BUNDLES: Record<string, string> = {
  [BUNDLED_WORKER_FILE]: 'functions/engine/similarity/worker.ts',
  [BUNDLED_EASE_WORKER_FILE]: 'functions/engine/ease/worker.ts',
  [BUNDLED_APPROXIMATE_EASE_WORKER_FILE]: 'functions/engine/ease/approximate/worker.ts',
  [BUNDLED_CONTENT_WORKER_FILE]: 'functions/engine/content/worker.ts',
};

export interface BuildFunctionProps {
  bucket: s3.Bucket;
  table: dynamodb.Table;
  settings: BuildFunctionSettings;
  powertools: PowertoolsSettings;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
  /** The id hashing key: erasure records and pseudonymised user ids. */
  idHashKey: IdHashKey;
  /**
   * LIVE_EVENT_SETTLE_MS: how far behind its clock a build folds live events, longer than the API function's
   * timeout (the stack passes it + 5 s), so no event still being written is missed (functions/model-build/live-fold.ts).
   */
  liveEventSettleMs: number;
}

export class BuildFunction extends Construct {
  readonly function: lambda.IFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: BuildFunctionProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination (Lambda on-failure destination) of the build function; nothing consumes it but an operator, so it needs no DLQ of its own.',
    });

    const built = new BundledFunction(this, 'Build', {
      entry: 'functions/handlers/build.ts',
      extraBundles: BUILD_WORKER_BUNDLES,
      description: 'Affinity: builds a model version from an upload',
      memoryMb: props.settings.memoryMb,
      timeout: Duration.minutes(props.settings.timeoutMinutes),
      ephemeralStorageMb: props.settings.ephemeralStorageMb,
      // No bucket name: the build reads the bucket of each upload from its S3 event record.
      environment: {
        TABLE_NAME: props.table.tableName,
        LIVE_EVENT_SETTLE_MS: String(props.liveEventSettleMs),
        ...limitVariables(props.settings),
      },
      powertools: props.powertools,
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
      asyncInvoke: {
        retryAttempts: props.settings.retryAttempts,
        maxEventAge: Duration.hours(props.settings.maxEventAgeHours),
        onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      },
    });
    this.function = built.function;
    props.idHashKey.grantTo(built.function);

    const uploads = props.bucket.arnForObjects(`${UPLOADS_PREFIX}*`);
    const reports = props.bucket.arnForObjects(`${REPORTS_PREFIX}*`);
    const liveEventFiles = props.bucket.arnForObjects(`${EVENTS_PREFIX}*`);
    built.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadUploads',
        // GetObjectVersion: the build reads exactly the object version its S3 event names.
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [uploads],
      }),
    );
    built.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListBucketForNotFound',
        // A build lists its dataset's prefix (every current interaction file). Without ListBucket S3 would also
        // answer a missing object (the optional config.json) with 403 AccessDenied instead of 404 NoSuchKey.
        actions: ['s3:ListBucket'],
        resources: [props.bucket.bucketArn],
      }),
    );
    built.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WriteReports', actions: ['s3:PutObject'], resources: [reports] }),
    );
    built.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // A build writes the live events it folds into one file there and reads every such file back.
        sid: 'ReadWriteLiveEventFiles',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [liveEventFiles],
      }),
    );
    built.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWriteModelTable',
        actions: BUILD_TABLE_ACTIONS,
        resources: [props.table.tableArn],
      }),
    );

    const policy = built.role.node.findChild('DefaultPolicy');
    acknowledgeWildcardResource(
      policy,
      uploads,
      'Upload keys are chosen by uploaders at run time; reading is confined to the uploads/ prefix.',
    );
    acknowledgeWildcardResource(
      policy,
      reports,
      'Report keys name run-time datasets and versions; writing is confined to the reports/ prefix.',
    );
    acknowledgeWildcardResource(
      policy,
      liveEventFiles,
      'Live-event file keys name run-time datasets and time ranges; reading and writing are confined to the events/ prefix.',
    );
    acknowledgeXRay(policy);

    // A dataset is the union of its files: a deletion builds too (the next model no longer has the file's rows).
    const destination = new s3n.LambdaDestination(this.function);
    props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, destination, { prefix: UPLOADS_PREFIX });
    props.bucket.addEventNotification(s3.EventType.OBJECT_REMOVED, destination, { prefix: UPLOADS_PREFIX });
    acknowledgeNotificationsHandler(Stack.of(this));
  }
}

/** The ingest limits as the build handler reads them (functions/handlers/build-limits.ts), explicit in the template. */
function limitVariables(settings: BuildFunctionSettings): Record<string, string> {
  return Object.fromEntries(LIMIT_NAMES.map((name) => [DEPLOYMENT_SETTINGS[name].env, String(settings.limits[name])]));
}

/** The stack-wide helper function CDK creates to configure bucket notifications (a CloudFormation custom resource). */
function acknowledgeNotificationsHandler(stack: Stack): void {
  const handler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  const role = handler?.node.tryFindChild('Role');
  if (!role)
    throw new Error(
      'CDK no longer creates BucketNotificationsHandler050a0587b7544547bf325f094a3db834: revisit its cdk-nag acknowledgement',
    );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's own bucket-notification custom resource handler: it runs only during deployments and only needs to write its logs.",
  });
}
