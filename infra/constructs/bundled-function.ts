/**
 * A Node.js Lambda function bundled locally by esbuild (no Docker) into one ESM file, with its own role and its
 * own log group. The role starts empty apart from writing to that one log group (instead of the AWS-managed
 * AWSLambdaBasicExecutionRole, which may write to any log group); callers add exactly what the handler needs.
 */
import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runtime and the esbuild target that matches it. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const BUNDLE_TARGET = 'node22';

/** Prefer packages' ESM builds; fall back to CommonJS. */
export const BUNDLE_MAIN_FIELDS = ['module', 'main'] as const;

/** Some dependencies are CommonJS and call require(): give the ESM bundle one. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __affinityCreateRequire } from 'node:module'; const require = __affinityCreateRequire(import.meta.url);";

export interface PowertoolsSettings {
  serviceName: string;
  metricsNamespace: string;
  logLevel: string;
}

/** The shell commands CDK runs after bundling the handler: each extra entry bundled on its own beside it. */
export function extraBundleCommands(
  extraBundles: Record<string, string>,
  inputDir: string,
  outputDir: string,
): string[] {
  return Object.entries(extraBundles).map(
    ([file, entry]) =>
      `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/${entry}" --bundle --platform=node --format=esm --target=${BUNDLE_TARGET} --minify --outfile="${outputDir}/${file}"`,
  );
}

export interface BundledFunctionProps {
  /** Handler entry, relative to the project root (e.g. functions/handlers/api.ts). */
  entry: string;
  description: string;
  memoryMb: number;
  timeout: Duration;
  ephemeralStorageMb?: number;
  environment: Record<string, string>;
  powertools: PowertoolsSettings;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
  asyncInvoke?: Pick<lambda.FunctionOptions, 'onFailure' | 'retryAttempts' | 'maxEventAge'>;
  /**
   * More entry points bundled on their own next to the handler: output file name -> entry (relative to the project
   * root). The build function ships its similarity and EASE workers this way, so the kernels can use every vCPU.
   */
  extraBundles?: Record<string, string>;
}

export class BundledFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (execution role)`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout,
      ephemeralStorageSize:
        props.ephemeralStorageMb === undefined ? undefined : Size.mebibytes(props.ephemeralStorageMb),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.powertools.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.powertools.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: props.powertools.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: [...BUNDLE_MAIN_FIELDS],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // Stack traces need only the mappings; embedded sources would triple the map that --enable-source-maps loads.
        sourcesContent: false,
        // Ship the SDK versions the tests ran against instead of whatever the runtime happens to include.
        bundleAwsSDK: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            extraBundleCommands(props.extraBundles ?? {}, inputDir, outputDir),
        },
      },
      ...props.asyncInvoke,
    });
    Validations.of(this.function.node.defaultChild as lambda.CfnFunction).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x (LTS, supported into 2027) on purpose: it matches the esbuild target and the Node versions the test suite runs on; move runtime and target together.',
    });
  }
}
