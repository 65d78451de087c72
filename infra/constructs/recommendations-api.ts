/**
 * The HTTPS API: an API Gateway HTTP API whose every route is authorized (IAM SigV4 by default, or JWT), in
 * front of the API function. The function may read the model table and write exactly four things: the rollback's
 * conditional UpdateItem of a dataset manifest; live events (PutItem / DeleteItem on `lv#…` partitions); erasure
 * records and tombstones (UpdateItem of `ds#` items, only their named attributes); and the DeleteItem of one
 * entity's history, neighbour or catalogue rows (`m#…#h|u|i|c#…` partitions: never a popularity page, never a Put).
 * Erasure needs no BatchWriteItem, whose grant could not tell deletes from puts.
 */
import { Annotations, Duration, RemovalPolicy, Stack, ArnFormat, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { IdHashKey } from './id-hash-key.js';
import type { ApiFunctionSettings, AuthMode } from '../config.js';
import { BundledFunction, type PowertoolsSettings } from './bundled-function.js';
import { acknowledgeWildcardResource, acknowledgeXRay } from './nag.js';
import { LIVE_EVENT_PK_PREFIX } from '../../functions/adapters/dynamo/keys.js';

/** Reads the API does (functions/adapters/dynamo): keep in step with the adapter. */
export const API_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** The one write: rollback, a conditional UpdateItem of `ds#<dataset>` / `manifest` (see ModelReader.rollback in functions/adapters/store-contract.ts). */
export const API_WRITE_ACTIONS = ['dynamodb:UpdateItem'];
/** Partition keys the write may touch: dataset rows only (`m#…` model rows stay read-only). */
export const API_WRITE_LEADING_KEYS = ['ds#*'];
/** Attributes the rollback sets or tests, plus the key attributes (which IAM requires to be listed). */
export const API_WRITE_ATTRIBUTES = ['pk', 'sk', 'activeVersion', 'revision', 'updatedAt'];
/**
 * Erasure: the attributes of an erasure record (`ds#<dataset>` / `erasure#…`) and of the tombstones
 * (`ds#<dataset>` / `tombstones`) the API writes (functions/adapters/dynamo/erasures.ts), plus the keys.
 */
export const API_ERASURE_ATTRIBUTES = [
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
];
/**
 * The model rows an erasure deletes: a user's history (h) and neighbours (u), an item's neighbours (i) and entry
 * (c). A partition is `m#<dataset>#<version>#<kind>#<shard 0-15>` with no '#' inside a part (keys.ts), so ending
 * in `#<kind>#` and one or two characters pins the kind: no dataset or version name can make a popularity page
 * (`…#p#0`) match.
 */
export const API_DELETE_LEADING_KEYS = ['h', 'u', 'i', 'c'].flatMap((kind) => [`m#*#${kind}#?`, `m#*#${kind}#??`]);
/**
 * Live events (functions/adapters/dynamo/live-events.ts): one conditional PutItem per event, the user's Query, and
 * DeleteItem for a user's erasure — on live-event partitions only (`lv#…`; keys.ts LIVE_EVENT_PK_PREFIX).
 */
export const API_LIVE_EVENT_ACTIONS = ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'];
export const API_LIVE_EVENT_LEADING_KEYS = [`${LIVE_EVENT_PK_PREFIX}*`];

export const API_ROUTES: readonly { path: string; method: apigw.HttpMethod }[] = [
  { path: '/v1/{proxy+}', method: apigw.HttpMethod.ANY },
  { path: '/health', method: apigw.HttpMethod.GET },
  { path: '/openapi.json', method: apigw.HttpMethod.GET },
];

export interface RecommendationsApiProps {
  table: dynamodb.Table;
  settings: ApiFunctionSettings;
  powertools: PowertoolsSettings;
  auth: AuthMode;
  authIssuer?: string;
  authAudience: string[];
  corsOrigins: string[];
  throttleRateLimit: number;
  throttleBurstLimit: number;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
  /** The id hashing key: erasure records and pseudonymised user ids. */
  idHashKey: IdHashKey;
}

export class RecommendationsApi extends Construct {
  readonly function: lambda.IFunction;
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  /** auth=iam: attach this to the users/roles that may call the API. */
  readonly invokePolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: RecommendationsApiProps) {
    super(scope, id);
    const handler = new BundledFunction(this, 'Api', {
      entry: 'functions/handlers/api.ts',
      description: 'Affinity: recommendations API',
      memoryMb: props.settings.memoryMb,
      timeout: Duration.seconds(props.settings.timeoutSeconds),
      environment: { TABLE_NAME: props.table.tableName },
      powertools: props.powertools,
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.function = handler.function;
    props.idHashKey.grantTo(handler.function);
    handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadModelTable', actions: API_READ_ACTIONS, resources: [props.table.tableArn] }),
    );
    handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RollbackManifestOnly',
        actions: API_WRITE_ACTIONS,
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': API_WRITE_LEADING_KEYS },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': API_WRITE_ATTRIBUTES },
        },
      }),
    );
    handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'LiveEventsOnly',
        actions: API_LIVE_EVENT_ACTIONS,
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': API_LIVE_EVENT_LEADING_KEYS } },
      }),
    );
    handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ErasureRecordsAndTombstones',
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': API_WRITE_LEADING_KEYS },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': API_ERASURE_ATTRIBUTES },
        },
      }),
    );
    handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EraseEntityRows',
        actions: ['dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': API_DELETE_LEADING_KEYS } },
      }),
    );
    acknowledgeXRay(handler.role.node.findChild('DefaultPolicy'));

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Affinity recommendations API',
      createDefaultStage: false,
      defaultAuthorizer: authorizerFor(props),
      corsPreflight: props.corsOrigins.length === 0 ? undefined : corsFor(props),
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.function, {
      payloadFormatVersion: apigw.PayloadFormatVersion.VERSION_2_0,
    });
    for (const route of API_ROUTES) this.httpApi.addRoutes({ path: route.path, methods: [route.method], integration });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });

    if (props.auth === 'iam') {
      const everyRoute = Stack.of(this).formatArn({
        service: 'execute-api',
        resource: this.httpApi.apiId,
        resourceName: '*',
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      this.invokePolicy = new iam.ManagedPolicy(this, 'InvokePolicy', {
        description: 'Allows calling every route of the Affinity recommendations API (SigV4).',
        statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources: [everyRoute] })],
      });
      acknowledgeWildcardResource(
        this.invokePolicy.node.defaultChild as iam.CfnManagedPolicy,
        everyRoute,
        'Grants calling this one API (every stage, method and route); callers who need less can be given a narrower policy.',
      );
    }
    if (props.auth === 'none') {
      Annotations.of(this).addWarningV2(
        'affinity:publicApi',
        'auth=none: the API (including POST …/rollback and the erasure DELETEs) is open to anyone on the internet.',
      );
      for (const route of this.httpApi.node.findAll().filter((node) => node instanceof apigw.HttpRoute)) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'The operator deployed with auth=none and allowPublicApi=true.',
        });
      }
    }
  }
}

function authorizerFor(props: RecommendationsApiProps): apigw.IHttpRouteAuthorizer | undefined {
  switch (props.auth) {
    case 'iam':
      return new HttpIamAuthorizer();
    case 'jwt':
      return new HttpJwtAuthorizer('JwtAuthorizer', props.authIssuer as string, { jwtAudience: props.authAudience });
    case 'none':
      return new apigw.HttpNoneAuthorizer();
  }
}

function corsFor(props: RecommendationsApiProps): apigw.CorsPreflightOptions {
  return {
    allowOrigins: props.corsOrigins,
    allowMethods: [
      apigw.CorsHttpMethod.GET,
      apigw.CorsHttpMethod.POST,
      apigw.CorsHttpMethod.DELETE,
      apigw.CorsHttpMethod.OPTIONS,
    ],
    // Authorization for JWTs; the x-amz-* headers for SigV4-signed browser calls.
    allowHeaders: ['authorization', 'content-type', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'],
    maxAge: Duration.hours(1),
  };
}

/**
 * One JSON object per request; the caller (IAM principal or JWT subject) is recorded for audit. Not the path: it
 * holds user ids (…/users/{userId}/…), which logs never hold (README "Pseudonymised user ids"); the function's
 * request log has the route template and the dataset under the same requestId.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    iamCaller: '$context.identity.userArn',
    jwtSubject: '$context.authorizer.claims.sub',
  }),
);
