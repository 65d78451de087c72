/** The dataset's build options: uploads/<dataset>/config.json, parsed by the engine's one config schema. */
import type { S3Client } from '@aws-sdk/client-s3';
import { configKey } from '../adapters/bucket-layout.js';
import { readTextObject } from '../adapters/s3-objects.js';
import { parseModelConfig, type ModelConfig } from '../engine/pipeline.js';
import { UserInputError } from '../engine/types.js';

export async function loadConfig(s3: S3Client, bucket: string, dataset: string): Promise<ModelConfig> {
  const key = configKey(dataset);
  const text = await readTextObject(s3, bucket, key);
  if (text === undefined) return parseModelConfig({});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserInputError(
      `${key} is not valid JSON: ${(error as Error).message}`,
      key,
      'Upload a JSON object such as {"measure":"cosine","k":50}.',
    );
  }
  return parseModelConfig(json, key);
}
