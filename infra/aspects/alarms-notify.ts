import { type IAspect, Stack } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IConstruct } from 'constructs';

/**
 * Wires every alarm to the stage's alerts topic, on alarm and on OK, so no alarm is made that pages
 * no one. The topic is found by name (it lives in the alerts stack), so no export ties the stacks.
 */
export class AlarmsNotify implements IAspect {
  constructor(private readonly topicName: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof Alarm)) return;
    const arn = Stack.of(node).formatArn({ service: 'sns', resource: this.topicName });
    const action = new SnsAction(Topic.fromTopicArn(node, 'AlertsTopic', arn));
    node.addAlarmAction(action);
    node.addOkAction(action);
  }
}
