/**
 * The whole Affinity deployment: bucket -> build function -> table <- API function <- HTTP API, with alarms; both
 * functions read the id hashing key (a generated secret).
 * Every setting comes from {@link AffinityConfig} (CDK context, see infra/config.ts and README "Deploy").
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AffinityConfig } from './config.js';
import { Alarms } from './constructs/alarms.js';
import { BuildFunction } from './constructs/build-function.js';
import type { PowertoolsSettings } from './constructs/bundled-function.js';
import { ModelBucket } from './constructs/model-bucket.js';
import { ModelTable } from './constructs/model-table.js';
import { IdHashKey } from './constructs/id-hash-key.js';
import { RecommendationsApi } from './constructs/recommendations-api.js';

export interface AffinityStackProps extends StackProps {
  config: AffinityConfig;
}

export class AffinityStack extends Stack {
  readonly modelBucket: ModelBucket;
  readonly modelTable: ModelTable;
  readonly idHashKey: IdHashKey;
  readonly build: BuildFunction;
  readonly api: RecommendationsApi;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: AffinityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const powertools: PowertoolsSettings = {
      serviceName: config.serviceName,
      metricsNamespace: config.metricsNamespace,
      logLevel: config.logLevel,
    };

    this.modelBucket = new ModelBucket(this, 'ModelBucket', {
      reportRetentionDays: config.reportRetentionDays,
      noncurrentVersionRetentionDays: config.noncurrentVersionRetentionDays,
      accessLogRetentionDays: config.accessLogRetentionDays,
      removalPolicy,
    });
    this.modelTable = new ModelTable(this, 'ModelTable', {
      removalPolicy,
      pointInTimeRecoveryDays: config.pointInTimeRecoveryDays,
    });
    this.idHashKey = new IdHashKey(this, 'IdHashKey', { removalPolicy });
    this.build = new BuildFunction(this, 'BuildFunction', {
      bucket: this.modelBucket.bucket,
      table: this.modelTable.table,
      settings: config.build,
      powertools,
      logRetentionDays: config.logRetentionDays,
      removalPolicy,
      idHashKey: this.idHashKey,
      // The fold stays behind the build's clock by more than any API request lasts (plus 5 s of clock skew).
      liveEventSettleMs: (config.api.timeoutSeconds + 5) * 1000,
    });
    this.api = new RecommendationsApi(this, 'RecommendationsApi', {
      table: this.modelTable.table,
      settings: config.api,
      powertools,
      auth: config.auth,
      authIssuer: config.authIssuer,
      authAudience: config.authAudience,
      corsOrigins: config.corsOrigins,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      logRetentionDays: config.logRetentionDays,
      removalPolicy,
      idHashKey: this.idHashKey,
    });
    this.alarms = new Alarms(this, 'Alarms', {
      buildFunction: this.build.function,
      deadLetterQueue: this.build.deadLetterQueue,
      apiFunction: this.api.function,
      httpApi: this.api.httpApi,
      api5xxThreshold: config.api5xxThreshold,
      alarmEmail: config.alarmEmail,
    });

    new CfnOutput(this, 'BucketName', {
      value: this.modelBucket.bucket.bucketName,
      description: 'Upload files to s3://<bucket>/uploads/<dataset>/',
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: `API base URL (auth: ${config.auth})` });
    new CfnOutput(this, 'TableName', { value: this.modelTable.table.tableName });
    new CfnOutput(this, 'IdHashKeySecretArn', {
      value: this.idHashKey.secret.secretArn,
      description: 'The id hashing key (pseudonymised user ids, erasure records): back it up, never rotate it',
    });
    new CfnOutput(this, 'DlqUrl', {
      value: this.build.deadLetterQueue.queueUrl,
      description: 'Upload events whose build failed after all retries',
    });
    if (this.api.invokePolicy) {
      new CfnOutput(this, 'InvokePolicyArn', {
        value: this.api.invokePolicy.managedPolicyArn,
        description: 'Attach to the IAM users/roles that call the API',
      });
    }
    if (this.alarms.topic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
