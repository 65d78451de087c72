/**
 * The upload/report bucket (uploads/<dataset>/… in, reports/<dataset>/<version>.json out) and the separate bucket
 * that receives its S3 server access logs.
 *
 * Encryption is S3-managed (SSE-S3): every object is encrypted at rest at no cost, there is no key policy to get
 * wrong, and a multi-gigabyte upload read by the build costs no KMS requests. The data (ratings, reports) is
 * business data, not regulated data that would need customer-managed keys; the log bucket must be SSE-S3 anyway,
 * since S3 server access logging cannot write to a KMS-encrypted bucket.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REPORTS_PREFIX } from '../../functions/adapters/bucket-layout.js';

export interface ModelBucketProps {
  reportRetentionDays: number;
  noncurrentVersionRetentionDays: number;
  accessLogRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

export class ModelBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ModelBucketProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;

    this.accessLogBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log target bucket itself; logging its own writes would log forever. Its objects expire by lifecycle.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versioning keeps an overwritten upload recoverable and lets a build read exactly the version its event named.
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'model-bucket/',
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionRetentionDays),
        },
        { id: 'expire-reports', prefix: REPORTS_PREFIX, expiration: Duration.days(props.reportRetentionDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
  }
}
