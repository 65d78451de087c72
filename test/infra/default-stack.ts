/**
 * The default deployment (no context) for the stack*.test.ts files: one synth per test file that imports this module,
 * and the logical ids of the resources the tests name.
 */
import { logicalIdOf, synthAffinity } from './synth.js';

export const { stack, template, report } = synthAffinity();

export const modelBucketId = logicalIdOf(template, 'AWS::S3::Bucket', 'ModelBucket');
export const logBucketId = logicalIdOf(template, 'AWS::S3::Bucket', 'ModelBucketAccessLogs');
export const tableId = logicalIdOf(template, 'AWS::DynamoDB::Table', 'ModelTable');
export const buildFunctionId = logicalIdOf(template, 'AWS::Lambda::Function', 'BuildFunctionBuildFunction');
export const apiFunctionId = logicalIdOf(template, 'AWS::Lambda::Function', 'RecommendationsApiFunction');
export const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', 'BuildFunctionDeadLetterQueue');
