import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** cdk-nag findings accepted on one construct (and below it), all for the same reason. */
export function acknowledge(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** The S3 actions aws-cdk-lib's own grants (its deployment handlers, CDK Pipelines) name by wildcard. */
export const cdkS3WildcardActions = (actions: readonly string[]) =>
  actions.map((action) => `AwsSolutions-IAM5[Action::s3:${action}]`);
