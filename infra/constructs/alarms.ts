/**
 * The alarms an operator needs: a build failed (errors, throttles, an event parked in the dead-letter queue) or
 * the API answers 5xx. With an e-mail address they notify an SNS topic that mails it; otherwise they only show
 * in the CloudWatch console.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  buildFunction: lambda.IFunction;
  deadLetterQueue: sqs.IQueue;
  apiFunction: lambda.IFunction;
  httpApi: apigw.HttpApi;
  api5xxThreshold: number;
  alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

export class Alarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic?: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.add(
      'BuildErrors',
      'A model build failed (see the build function logs and the job record).',
      props.buildFunction.metricErrors({ period: PERIOD }),
      1,
    );
    this.add(
      'BuildThrottles',
      'A model build was throttled (account concurrency exhausted).',
      props.buildFunction.metricThrottles({ period: PERIOD }),
      1,
    );
    this.add(
      'BuildDeadLetters',
      'An upload event exhausted its retries and waits in the dead-letter queue: fix the cause, then re-upload the file.',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      1,
    );
    this.add(
      'Api5xx',
      `The API answered ${props.api5xxThreshold} or more 5xx responses in 5 minutes.`,
      props.httpApi.metricServerError({ period: PERIOD }),
      props.api5xxThreshold,
    );
    this.add(
      'ApiErrors',
      'The API function threw (an unhandled error or timeout).',
      props.apiFunction.metricErrors({ period: PERIOD }),
      1,
    );

    if (props.alarmEmail !== undefined) {
      this.topic = new sns.Topic(this, 'Topic', { displayName: 'Affinity alarms', enforceSSL: true });
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Carries only alarm names and states. CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer-managed key would cost a monthly fee to protect no data.',
      });
      const action = new actions.SnsAction(this.topic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  private add(id: string, description: string, metric: cloudwatch.IMetric, threshold: number): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
