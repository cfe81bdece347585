import { type IGrantable, type IPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { Environment } from '../environments.js';

export interface EncryptedTopicProps {
  topicName: string;
  environment: Environment;
  subscribers?: { email?: string; sms?: string };
  /** Services that publish on their own (CloudWatch alarms): they may use the topic's key. */
  keyUsers?: IPrincipal[];
}

/** An SNS topic encrypted with its own rotating KMS key, refusing plain HTTP, with optional subscribers. */
export class EncryptedTopic extends Construct {
  readonly topic: ITopic;
  readonly #key: Key;

  constructor(
    scope: Construct,
    id: string,
    { topicName, environment, subscribers, keyUsers = [] }: EncryptedTopicProps,
  ) {
    super(scope, id);
    this.#key = new Key(this, 'Key', {
      description: `${topicName} topic`,
      enableKeyRotation: true,
      removalPolicy: environment.removalPolicy,
    });
    for (const principal of keyUsers) {
      this.#key.addToResourcePolicy(
        new PolicyStatement({
          principals: [principal],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        }),
      );
    }
    const topic = new Topic(this, 'Topic', { topicName, masterKey: this.#key, enforceSSL: true });
    if (subscribers?.email) topic.addSubscription(new EmailSubscription(subscribers.email));
    if (subscribers?.sms) topic.addSubscription(new SmsSubscription(subscribers.sms));
    this.topic = topic;
  }

  /** Exactly what publishing to an encrypted topic needs, rather than grantPublish's kms:GenerateDataKey*. */
  grantPublishExactly(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.#key.keyArn] }),
    );
  }
}
