/**
 * The default deployment (no context): least privilege, the HTTP API, alarms and outputs. Expected values are the
 * documented defaults (README "Deploy"), written out here rather than read from infra/config.ts.
 */
import { describe, expect, test } from 'vitest';
import { actionsOf, logicalIdOf, roleStatements } from './synth.js';
import { modelPartition, popularityPartition, SHARDS } from '../../functions/adapters/dynamo/keys.js';
import { API_DELETE_LEADING_KEYS } from '../../infra/constructs/recommendations-api.js';
import { template, modelBucketId, tableId, buildFunctionId, apiFunctionId, dlqId } from './default-stack.js';

/** What `secret.grantRead` gives: the value and the secret's metadata. */
const SECRET_READ = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];

describe('least privilege', () => {
  const apiRoleId = () =>
    template.findResources('AWS::Lambda::Function')[apiFunctionId].Properties.Role['Fn::GetAtt'][0] as string;
  const buildRoleId = () =>
    template.findResources('AWS::Lambda::Function')[buildFunctionId].Properties.Role['Fn::GetAtt'][0] as string;
  const READ_ONLY =
    /^dynamodb:(GetItem|BatchGetItem|Query)$|^secretsmanager:(GetSecretValue|DescribeSecret)$|^logs:|^xray:/;

  test('the API role writes only the manifest and erasure UpdateItems of ds# items, live events and erased rows', () => {
    const statements = roleStatements(template, apiRoleId());
    const writes = statements.filter((statement) =>
      actionsOf(statement).some((action) => !READ_ONLY.test(action) || action.startsWith('logs:')),
    );
    const dynamoWrites = writes.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    expect(
      dynamoWrites.map((statement) => [actionsOf(statement).sort(), statement.Resource, statement.Condition]),
    ).toEqual([
      // Rollback: the manifest's active version and revision.
      [
        ['dynamodb:UpdateItem'],
        { 'Fn::GetAtt': [tableId, 'Arn'] },
        {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ds#*'] },
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': ['pk', 'sk', 'activeVersion', 'revision', 'updatedAt'],
          },
        },
      ],
      // Live events: a conditional PutItem per event, the user's Query, DeleteItem for an erasure — on lv# only.
      [
        ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        { 'Fn::GetAtt': [tableId, 'Arn'] },
        { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['lv#*'] } },
      ],
      // Erasure records and tombstones: their attributes only.
      [
        ['dynamodb:UpdateItem'],
        { 'Fn::GetAtt': [tableId, 'Arn'] },
        {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ds#*'] },
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': [
              'pk',
              'sk',
              'dataset',
              'kind',
              'subject',
              'status',
              'requestedAt',
              'completedAt',
              'deleted',
              'users',
              'items',
              'updatedAt',
            ],
          },
        },
      ],
      // Erased rows: deletes of history, user-neighbour, item-neighbour and catalogue partitions only (no Put, no
      // BatchWriteItem, no popularity page).
      [
        ['dynamodb:DeleteItem'],
        { 'Fn::GetAtt': [tableId, 'Arn'] },
        {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [
              'm#*#h#?',
              'm#*#h#??',
              'm#*#u#?',
              'm#*#u#??',
              'm#*#i#?',
              'm#*#i#??',
              'm#*#c#?',
              'm#*#c#??',
            ],
          },
        },
      ],
    ]);
    // Besides those: only its log group's CreateLogStream/PutLogEvents.
    const others = writes.filter((statement) => !dynamoWrites.includes(statement));
    expect(others.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    // No S3, no SQS, no other service but reading the id hashing key.
    expect(
      statements
        .flatMap(actionsOf)
        .filter((action) => !/^(dynamodb|logs|xray):/.test(action) && !SECRET_READ.includes(action)),
    ).toEqual([]);
  });

  test('both functions may read the id hashing key, that one secret only, and are told its ARN', () => {
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(1);
    const functions = template.findResources('AWS::Lambda::Function');
    for (const [functionId, roleId] of [
      [apiFunctionId, apiRoleId()],
      [buildFunctionId, buildRoleId()],
    ]) {
      const reads = roleStatements(template, roleId).filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
      );
      expect(reads).toHaveLength(1);
      expect(actionsOf(reads[0]).sort()).toEqual([...SECRET_READ].sort());
      expect(reads[0].Resource).toEqual({ Ref: secrets[0] });
      expect(functions[functionId].Properties.Environment.Variables.ID_HASH_KEY_SECRET_ARN).toEqual({
        Ref: secrets[0],
      });
    }
    // Retained with the data it keys (the default removal policy), and nobody else reads it.
    expect(template.findResources('AWS::SecretsManager::Secret')[secrets[0]].DeletionPolicy).toBe('Retain');
  });

  test('Resource "*" appears only for the X-Ray actions, in both roles', () => {
    for (const roleId of [apiRoleId(), buildRoleId()]) {
      const starred = roleStatements(template, roleId).filter((statement) =>
        JSON.stringify(statement.Resource).includes('"*"'),
      );
      expect(starred.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  test('the build role reads uploads/, writes reports/, reads and writes events/, and has no table-admin or Scan rights', () => {
    const statements = roleStatements(template, buildRoleId());
    const s3Statements = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('s3:')),
    );
    const objectPath = (resource: unknown) => JSON.stringify(resource).match(/"\/([^"]*)"\]\]\}$/)?.[1];
    const byAction = new Map<string, string[]>();
    for (const statement of s3Statements) {
      for (const action of actionsOf(statement))
        byAction.set(action, [...(byAction.get(action) ?? []), objectPath(statement.Resource) ?? 'bucket']);
    }
    expect(Object.fromEntries(byAction)).toEqual({
      's3:GetObject': ['uploads/*', 'events/*'],
      's3:GetObjectVersion': ['uploads/*'],
      's3:ListBucket': ['bucket'],
      's3:PutObject': ['reports/*', 'events/*'],
    });
    const dynamo = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    expect(dynamo.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(dynamo.map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    const sqs = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
    expect(sqs.map((statement) => statement.Resource)).toEqual([{ 'Fn::GetAtt': [dlqId, 'Arn'] }]);
  });
});

describe('HTTP API', () => {
  test('every route requires IAM (SigV4) authorization', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      'ANY /v1/{proxy+}',
      'GET /health',
      'GET /openapi.json',
    ]);
    for (const route of routes) expect(route.AuthorizationType, route.RouteKey).toBe('AWS_IAM');
  });

  test('the integration is the API function with payload format 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [apiFunctionId, 'Arn'] },
    });
  });

  test('the $default stage throttles at 50 rps (burst 100) and writes JSON access logs to a retained-30-days log group', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0].Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId].Properties.RetentionInDays).toBe(30);
    const format = JSON.parse(stage.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      iamCaller: '$context.identity.userArn',
    });
    // The path holds user ids (…/users/{userId}/…): never logged.
    expect(Object.values(format).filter((value) => value.includes('$context.path'))).toEqual([]);
  });

  test('no CORS unless origins are configured', () => {
    const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0].Properties;
    expect(api.ProtocolType).toBe('HTTP');
    expect(api.CorsConfiguration).toBeUndefined();
  });

  test('a managed policy grants execute-api:Invoke on this API only', () => {
    const apiId = logicalIdOf(template, 'AWS::ApiGatewayV2::Api', 'RecommendationsApiHttpApi');
    const policy = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0].Properties.PolicyDocument
      .Statement;
    expect(policy).toHaveLength(1);
    expect(policy[0].Action).toBe('execute-api:Invoke');
    expect(JSON.stringify(policy[0].Resource)).toContain(`{"Ref":"${apiId}"},"/*"`);
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
  const alarmOn = (metricName: string, dimension: unknown) =>
    alarms().filter(
      (alarm) =>
        alarm.MetricName === metricName && JSON.stringify(alarm.Dimensions).includes(JSON.stringify(dimension)),
    );

  test('build errors, build throttles, dead letters, API 5xx and API function errors each raise an alarm', () => {
    expect(alarms()).toHaveLength(5);
    for (const [metric, dimension, threshold] of [
      ['Errors', { Ref: buildFunctionId }, 1],
      ['Throttles', { Ref: buildFunctionId }, 1],
      ['ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [dlqId, 'QueueName'] }, 1],
      ['5xx', { Ref: logicalIdOf(template, 'AWS::ApiGatewayV2::Api', 'RecommendationsApiHttpApi') }, 5],
      ['Errors', { Ref: apiFunctionId }, 1],
    ] as const) {
      const matching = alarmOn(metric, dimension);
      expect(matching, metric).toHaveLength(1);
      expect(matching[0]).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
    expect(alarmOn('ApproximateNumberOfMessagesVisible', { 'Fn::GetAtt': [dlqId, 'QueueName'] })[0].Statistic).toBe(
      'Maximum',
    );
  });

  test('without alarmEmail there is no topic and no alarm action', () => {
    expect(template.findResources('AWS::SNS::Topic')).toEqual({});
    for (const alarm of alarms()) expect(alarm.AlarmActions).toBeUndefined();
  });
});

test('outputs: bucket, API URL, table, dead-letter queue, the id hashing key’s secret and the invoke policy', () => {
  const outputs = template.findOutputs('*');
  expect(Object.keys(outputs).sort()).toEqual([
    'ApiUrl',
    'BucketName',
    'DlqUrl',
    'IdHashKeySecretArn',
    'InvokePolicyArn',
    'TableName',
  ]);
  expect(outputs.BucketName.Value).toEqual({ Ref: modelBucketId });
  expect(outputs.TableName.Value).toEqual({ Ref: tableId });
  expect(outputs.DlqUrl.Value).toEqual({ Ref: dlqId });
  const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', 'IdHashKeySecret');
  expect(outputs.IdHashKeySecretArn.Value).toEqual({ Ref: secretId });
  expect(JSON.stringify(outputs.ApiUrl.Value)).toMatch(
    /^\{"Fn::Join":\["",\["https:\/\/",\{"Ref":"RecommendationsApiHttpApi[0-9A-F]+"\},".execute-api."/,
  );
});

describe('the erasure grant’s partition patterns', () => {
  // IAM StringLike: '*' any run of characters, '?' exactly one.
  const like = (pattern: string, value: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(value);
  const allowed = (pk: string) => API_DELETE_LEADING_KEYS.some((pattern) => like(pattern, pk));

  test('match every shard of the erased kinds and no popularity page, whatever the dataset or version is called', () => {
    for (const kind of ['h', 'u', 'i', 'c'])
      for (let shard = 0; shard < SHARDS; shard++)
        expect(allowed(modelPartition('d', 'v1', kind as never, shard))).toBe(true);
    for (const [dataset, version] of [
      ['h', 'v'],
      ['x', 'u'],
      ['i', 'c'],
      ['p', 'h'],
    ])
      expect(allowed(popularityPartition(dataset, version))).toBe(false);
    expect(allowed('ds#d')).toBe(false);
  });
});
