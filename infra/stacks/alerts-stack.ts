import { Stack, type StackProps } from 'aws-cdk-lib';
import { SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { physicalName } from '../../src/platform/resources.js';
import { EncryptedTopic } from '../constructs/encrypted-topic.js';
import type { Environment } from '../environments.js';

export interface AlertsStackProps extends StackProps {
  environment: Environment;
  /** E-mail subscriber (context `alertsEmail`). */
  email?: string;
  /** Slack through AWS Chatbot (context `slackWorkspaceId` and `slackChannelId`, both or neither). */
  slack?: { workspaceId: string; channelId: string };
}

/** The services that publish to the alerts topic on their own. */
const publishers = ['cloudwatch.amazonaws.com', 'codestar-notifications.amazonaws.com'];

/** The stage's alerts topic, which every alarm of every stack notifies (`AlarmsNotify`). */
export const alertsTopicName = (stage: string) => physicalName(stage, 'platform', 'alerts');

/**
 * One encrypted alerts topic per stage, with its people: an e-mail address, and a Slack channel
 * through AWS Chatbot, as the orders brief's "notify a Slack channel" asks.
 */
export class AlertsStack extends Stack {
  constructor(scope: Construct, id: string, props: AlertsStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const alerts = new EncryptedTopic(this, 'Alerts', {
      topicName: alertsTopicName(environment.stage),
      environment,
      subscribers: { email: props.email },
      // CloudWatch (alarm changes) and CodeStar Notifications (pipeline failures) publish: they need the key.
      keyUsers: publishers.map((service) => new ServicePrincipal(service)),
    });
    alerts.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: publishers.map((service) => new ServicePrincipal(service)),
        actions: ['sns:Publish'],
        resources: [alerts.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (props.slack) {
      new SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: alertsTopicName(environment.stage),
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [alerts.topic],
      });
    }
  }
}
