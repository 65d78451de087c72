/**
 * Non-default deployments, one synth each: JWT auth with every optional feature switched on, and the
 * explicitly public API. Both must still pass cdk-nag.
 */
import { describe, expect, test } from 'vitest';
import { findings, logicalIdOf, synthAffinity } from './synth.js';

describe('auth=jwt with CORS, alarm e-mail, custom throttling, sizes and removalPolicy=destroy', () => {
  const { template, report } = synthAffinity({
    auth: 'jwt',
    authIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
    authAudience: 'client-a, client-b',
    corsOrigins: 'https://app.example.com,https://admin.example.com',
    alarmEmail: 'ops@example.com',
    throttleRateLimit: '20',
    throttleBurstLimit: 40,
    removalPolicy: 'destroy',
    reportRetentionDays: '7',
    noncurrentVersionRetentionDays: '2',
    pointInTimeRecoveryDays: '3',
    buildMemoryMb: '4096',
    buildTimeoutMinutes: 10,
    buildEphemeralStorageMb: '4096',
    buildRetryAttempts: 0,
    logRetentionDays: '14',
    logLevel: 'debug',
  });

  test('passes cdk-nag', () => {
    expect(findings(report, 'AwsSolutions')).toEqual([]);
  });

  test('every route requires a JWT from the configured issuer and audiences', () => {
    const authorizers = Object.entries(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0];
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
        Audience: ['client-a', 'client-b'],
      },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
    expect(routes).toHaveLength(3);
    for (const route of routes) {
      expect(route.AuthorizationType, route.RouteKey).toBe('JWT');
      expect(route.AuthorizerId, route.RouteKey).toEqual({ Ref: authorizerId });
    }
    expect(template.findResources('AWS::IAM::ManagedPolicy'), 'no SigV4 invoke policy under JWT').toEqual({});
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'AlarmTopicArn',
      'ApiUrl',
      'BucketName',
      'DlqUrl',
      'IdHashKeySecretArn',
      'TableName',
    ]);
  });

  test('CORS allows exactly the configured origins and the auth headers', () => {
    const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0].Properties;
    expect(api.CorsConfiguration.AllowOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
    expect(api.CorsConfiguration.AllowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type']));
  });

  test('throttling, retention and function sizes follow the context', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup')))
      expect(logGroup.Properties.RetentionInDays).toBe(14);
    const build =
      template.findResources('AWS::Lambda::Function')[
        logicalIdOf(template, 'AWS::Lambda::Function', 'BuildFunctionBuildFunction')
      ].Properties;
    expect(build).toMatchObject({ MemorySize: 4096, Timeout: 600, EphemeralStorage: { Size: 4096 } });
    expect(build.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('DEBUG');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    const bucket = template.findResources('AWS::S3::Bucket')[logicalIdOf(template, 'AWS::S3::Bucket', 'ModelBucket')];
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ Prefix: 'reports/', ExpirationInDays: 7 })]),
    );
    // How long older copies of a purged user's rows live on (README "Purging a user from the raw uploads").
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 2 } })]),
    );
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0].Properties;
    expect(table.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
      RecoveryPeriodInDays: 3,
    });
  });

  test('removalPolicy=destroy deletes the table and empties then deletes the buckets', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0];
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket')))
      expect(bucket.DeletionPolicy).toBe('Delete');
    expect(Object.keys(template.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(2);
  });

  test('every alarm notifies the e-mail topic, which refuses plain HTTP', () => {
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic', 'AlarmsTopic');
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(5);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties.PolicyDocument
      .Statement;
    expect(policy).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });
});

describe('auth=none with allowPublicApi=true', () => {
  const { template, report } = synthAffinity({ auth: 'none', allowPublicApi: 'true' });

  test('routes are open, and the synth says so loudly', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
    expect(routes).toHaveLength(3);
    for (const route of routes) expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(findings(report, 'Construct Annotations')).toEqual([
      expect.stringMatching(/^warning Annotation::affinity:publicApi @ Affinity\/RecommendationsApi$/),
    ]);
    expect(findings(report, 'AwsSolutions')).toEqual([]);
  });
});
