/**
 * The per-deployment key of the keyed user-id hash (engine/privacy/pseudonym.ts), loaded once per cold start:
 * - in the cloud from AWS Secrets Manager (`ID_HASH_KEY_SECRET_ARN`: the stack's generated secret, readable by the
 *   two functions only), a base64 string of at least 32 bytes;
 * - locally and in tests from `ID_HASH_KEY` (base64): the local stack generates it once into its data directory
 *   (functions/local/id-hash-key-file.ts), so pseudonyms stay stable across restarts.
 *
 * Safety properties (test/adapters/id-hash-key.test.ts):
 * - Never a silent default: with neither variable set, or a key that does not decode to ≥ 32 bytes, loading fails
 *   with a UserInputError naming the variable and how to set it (a deployment can never hash with a known key).
 * - One source at a time: setting both variables is refused (which key hashed what would be ambiguous).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { decodeKey } from '../engine/privacy/index.js';
import { UserInputError } from '../engine/types.js';
import { createSecretsManagerClient } from './aws-clients.js';

export interface IdHashKeyEnvironment {
  ID_HASH_KEY?: string;
  ID_HASH_KEY_SECRET_ARN?: string;
}

export async function loadIdHashKey(
  env: IdHashKeyEnvironment,
  secrets: () => Pick<SecretsManagerClient, 'send'> = createSecretsManagerClient,
): Promise<Uint8Array> {
  const direct = env.ID_HASH_KEY?.trim() || undefined;
  const arn = env.ID_HASH_KEY_SECRET_ARN?.trim() || undefined;
  if (direct && arn) {
    throw new UserInputError(
      'Both ID_HASH_KEY and ID_HASH_KEY_SECRET_ARN are set',
      'ID_HASH_KEY, ID_HASH_KEY_SECRET_ARN',
      'Set one: ID_HASH_KEY locally, ID_HASH_KEY_SECRET_ARN in the cloud (the CDK stack sets it).',
    );
  }
  if (direct) return decodeKey(direct, 'ID_HASH_KEY');
  if (arn) {
    const answer = await secrets().send(new GetSecretValueCommand({ SecretId: arn }));
    if (answer.SecretString === undefined) {
      throw new UserInputError(
        `Secret ${arn} has no string value`,
        'ID_HASH_KEY_SECRET_ARN',
        'Store the key as a base64 string secret (the CDK stack generates one).',
      );
    }
    return decodeKey(answer.SecretString, `secret ${arn}`);
  }
  throw new UserInputError(
    'No id hashing key: neither ID_HASH_KEY nor ID_HASH_KEY_SECRET_ARN is set',
    'ID_HASH_KEY, ID_HASH_KEY_SECRET_ARN',
    'The CDK stack and the local stack set them; elsewhere set ID_HASH_KEY to `openssl rand -base64 32`.',
  );
}

export { decodeKey };
