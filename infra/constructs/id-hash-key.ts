/**
 * The deployment's id hashing key (functions/adapters/id-hash-key.ts): a generated Secrets Manager secret that the
 * build and API functions may read (GetSecretValue on this secret only) and nothing else in the stack touches.
 * Erasure records and pseudonymised user ids are keyed with it, so it is retained with the data it keys and never
 * rotated automatically (a new key would orphan every erasure record and change every pseudonym).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The variable the functions read the secret's ARN from. */
export const ID_HASH_KEY_SECRET_VARIABLE = 'ID_HASH_KEY_SECRET_ARN';

export interface IdHashKeyProps {
  removalPolicy: RemovalPolicy;
}

export class IdHashKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: IdHashKeyProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Affinity: the key of the keyed hash of user ids (erasure records, pseudonymised datasets)',
      // 64 letters and digits: valid base64 of 48 bytes (the functions need at least 32).
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: props.removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key of a keyed hash must stay the same: rotating it would orphan every erasure record (erased users could come back) and change every pseudonymised user id.',
    });
  }

  /** Lets `fn` read the key: its variable, and GetSecretValue on this one secret. */
  grantTo(fn: { addEnvironment(name: string, value: string): unknown; grantPrincipal: iam.IPrincipal }): void {
    fn.addEnvironment(ID_HASH_KEY_SECRET_VARIABLE, this.secret.secretArn);
    this.secret.grantRead(fn.grantPrincipal);
  }
}
