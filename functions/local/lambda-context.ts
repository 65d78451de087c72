/**
 * A minimal Lambda `Context` for locally invoked handlers: the fields handlers and Powertools read,
 * with a deadline so `getRemainingTimeInMillis()` counts down like the real one.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { configuredRegion } from './defaults.js';

export interface LambdaContextOptions {
  functionName: string;
  /** The function's configured timeout. */
  timeoutMs: number;
  region?: string;
  memoryLimitInMB?: number;
  awsRequestId?: string;
}

export function createLambdaContext(options: LambdaContextOptions): Context {
  const region = configuredRegion(options.region);
  const deadline = Date.now() + options.timeoutMs;
  const awsRequestId = options.awsRequestId ?? randomUUID();
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is a Node 0.10 callback API; return a promise from the handler instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
