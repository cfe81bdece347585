import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Notifier } from './notifier.js';

/** A topic ARN's last segment is the topic's name. */
const topicName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/**
 * The Notifier port on SNS. Topics are found by name among the configured ARNs; `required` names
 * the topics the mounted services publish to, so a missing ARN stops the start, not a publish.
 */
export function snsNotifier(sns: SNSClient, topicArns: string[], required: string[]): Notifier {
  const arns = new Map(topicArns.map((arn) => [topicName(arn), arn]));
  const missing = required.filter((name) => !arns.has(name));
  if (missing.length > 0) {
    throw new Error(`SKIFF_SNS_TOPIC_ARNS has no ARN for topic(s): ${missing.join(', ')}`);
  }
  return {
    async publish({ topic, subject, message, attributes }, options = {}) {
      const arn = arns.get(topic);
      if (!arn) throw new Error(`No ARN configured for topic ${topic}`);
      const { MessageId } = await sns.send(
        new PublishCommand({
          TopicArn: arn,
          Subject: subject,
          Message: message,
          MessageAttributes: Object.fromEntries(
            Object.entries(attributes).map(([name, value]) => [
              name,
              typeof value === 'number'
                ? { DataType: 'Number', StringValue: String(value) }
                : { DataType: 'String', StringValue: value },
            ]),
          ),
        }),
        { abortSignal: options.signal },
      );
      return { messageId: MessageId ?? '' };
    },
  };
}
