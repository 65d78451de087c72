/**
 * The default deployment (no context): cdk-nag, the model bucket and table, and the functions. Expected values are the
 * documented defaults (README "Deploy"), written out here rather than read from infra/config.ts.
 */
import { describe, expect, test } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { actionsOf, findings, logicalIdOf, roleStatements } from './synth.js';
import {
  stack,
  template,
  report,
  modelBucketId,
  logBucketId,
  tableId,
  buildFunctionId,
  apiFunctionId,
  dlqId,
} from './default-stack.js';

describe('cdk-nag (AwsSolutions) runs on every synth', () => {
  test('the stack synthesizes with no finding at all, acknowledged ones aside', () => {
    expect(findings(report, 'AwsSolutions')).toEqual([]);
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  test('an unacknowledged finding fails the synth (the check is live, not decorative)', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const bare = new Stack(app, 'Bare');
    new s3.Bucket(bare, 'NoLogsNoSsl');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1[\s\S]*Bare\/NoLogsNoSsl/);
  });

  test('every acknowledgement sits on the construct it excuses, with a specific reason', () => {
    const acknowledged: string[] = [];
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
          expect(reason.length, `${rule} on ${construct.node.path}`).toBeGreaterThan(60);
          acknowledged.push(`${construct.node.path} ${rule.replace(/^Annotation::/, '')}`);
        }
      }
    }
    expect(acknowledged.sort()).toEqual(
      [
        'Affinity/ModelBucket/AccessLogs AwsSolutions-S1',
        'Affinity/IdHashKey/Secret AwsSolutions-SMG4',
        'Affinity/BuildFunction/DeadLetterQueue AwsSolutions-SQS3',
        `Affinity/BuildFunction/Build/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<${modelBucketId}.Arn>/uploads/*]`,
        `Affinity/BuildFunction/Build/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<${modelBucketId}.Arn>/reports/*]`,
        `Affinity/BuildFunction/Build/Role/DefaultPolicy AwsSolutions-IAM5[Resource::<${modelBucketId}.Arn>/events/*]`,
        'Affinity/BuildFunction/Build/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'Affinity/BuildFunction/Build/Function/Resource AwsSolutions-L1',
        'Affinity/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'Affinity/RecommendationsApi/Api/Role/DefaultPolicy AwsSolutions-IAM5[Resource::*]',
        'Affinity/RecommendationsApi/Api/Function/Resource AwsSolutions-L1',
        `Affinity/RecommendationsApi/InvokePolicy/Resource AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${logicalIdOf(template, 'AWS::ApiGatewayV2::Api', 'RecommendationsApiHttpApi')}>/*]`,
      ].sort(),
    );
    expect(
      acknowledged.filter((entry) => entry.startsWith('Affinity ')),
      'nothing acknowledged stack-wide',
    ).toEqual([]);
  });
});

describe('model bucket', () => {
  test('is private, encrypted, versioned and logs access to the separate log bucket', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: 'model-bucket/' },
      },
      DeletionPolicy: 'Retain',
    });
    const modelBucket = template.findResources('AWS::S3::Bucket')[modelBucketId];
    expect(modelBucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logBucketId });
    const logBucket = template.findResources('AWS::S3::Bucket')[logBucketId];
    expect(logBucket.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    expect(
      logBucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('AES256');
  });

  test('both buckets deny every request not sent over TLS', () => {
    for (const bucketId of [modelBucketId, logBucketId]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('expires noncurrent versions after 30 days and reports/ after 90 days', () => {
    const rules = template.findResources('AWS::S3::Bucket')[modelBucketId].Properties.LifecycleConfiguration
      .Rules as Record<string, unknown>[];
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        expect.objectContaining({ Status: 'Enabled', Prefix: 'reports/', ExpirationInDays: 90 }),
      ]),
    );
    // Nothing expires uploads/ or the whole bucket by age.
    expect(rules.filter((rule) => rule.ExpirationInDays !== undefined && rule.Prefix !== 'reports/')).toEqual([]);
  });

  test('an object created or removed under uploads/ (and only there) invokes the build function', () => {
    const uploads = {
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
      LambdaFunctionArn: { 'Fn::GetAtt': [buildFunctionId, 'Arn'] },
    };
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: modelBucketId },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { Events: ['s3:ObjectCreated:*'], ...uploads },
          { Events: ['s3:ObjectRemoved:*'], ...uploads },
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [buildFunctionId, 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [modelBucketId, 'Arn'] },
    });
  });
});

describe('model table', () => {
  test('on-demand, point-in-time recovery, KMS encryption, TTL on expiresAt, string pk/sk, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('functions', () => {
  test('both run nodejs22.x on arm64 with active tracing, Powertools settings and the table name', () => {
    for (const functionId of [buildFunctionId, apiFunctionId]) {
      template.hasResource('AWS::Lambda::Function', {
        Properties: Match.objectLike({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          Environment: {
            Variables: Match.objectLike({
              TABLE_NAME: { Ref: tableId },
              POWERTOOLS_SERVICE_NAME: 'affinity',
              POWERTOOLS_METRICS_NAMESPACE: 'Affinity',
              POWERTOOLS_LOG_LEVEL: 'INFO',
            }),
          },
        }),
      });
      expect(template.findResources('AWS::Lambda::Function')[functionId].Properties.Runtime).toBe('nodejs22.x');
    }
  });

  test('the build function defaults to 3008 MB, 15 minutes, 2048 MB of /tmp, and takes its bucket from the event', () => {
    const build = template.findResources('AWS::Lambda::Function')[buildFunctionId].Properties;
    expect(build.MemorySize).toBe(3008);
    expect(build.Timeout).toBe(15 * 60);
    expect(build.EphemeralStorage).toEqual({ Size: 2048 });
    expect(build.Environment.Variables).not.toHaveProperty('BUCKET_NAME');
  });

  test('a failed build is retried twice at most, then parked in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: buildFunctionId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  test('the dead-letter queue is encrypted and refuses plain-HTTP access', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('each function writes to its own log group with 30-day retention, through its own role', () => {
    for (const functionId of [buildFunctionId, apiFunctionId]) {
      const props = template.findResources('AWS::Lambda::Function')[functionId].Properties;
      const logGroupId = props.LoggingConfig.LogGroup.Ref as string;
      expect(template.findResources('AWS::Logs::LogGroup')[logGroupId].Properties.RetentionInDays).toBe(30);
      const roleId = props.Role['Fn::GetAtt'][0] as string;
      // No AWS-managed policy (AWSLambdaBasicExecutionRole could write to any log group).
      expect(template.findResources('AWS::IAM::Role')[roleId].Properties.ManagedPolicyArns).toBeUndefined();
      const logStatements = roleStatements(template, roleId).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('logs:')),
      );
      expect(logStatements.map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [logGroupId, 'Arn'] }]);
    }
  });
});
