import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { type Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { LambdaDeploymentConfig, LambdaDeploymentGroup, TrafficRouting } from 'aws-cdk-lib/aws-codedeploy';
import { type CfnRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, type IFunction, type IVersion } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { Environment } from '../environments.js';
import { thresholdAlarm } from './alarms.js';

/**
 * The new version's own alarms, through the alias (`ExecutedVersion`), so the old version's errors
 * during a canary never roll the new one back: errors, and a p99 close to the timeout.
 */
function newVersionAlarms(scope: Construct, fn: IFunction, version: IVersion, timeout: Duration): Alarm[] {
  const metric = (metricName: string, statistic: string) =>
    new Metric({
      namespace: 'AWS/Lambda',
      metricName,
      statistic,
      period: Duration.minutes(1),
      dimensionsMap: {
        FunctionName: fn.functionName,
        Resource: `${fn.functionName}:live`,
        ExecutedVersion: version.version,
      },
    });
  return [
    thresholdAlarm(scope, 'LiveErrors', metric('Errors', 'Sum'), 1, 'the new version threw'),
    thresholdAlarm(
      scope,
      'LiveLatency',
      metric('Duration', 'p99'),
      timeout.toMilliseconds() * 0.8,
      'the new version runs close to its timeout (p99)',
    ),
  ];
}

/** CodeDeploy's role: move this function's alias, read these alarms; nothing on `*`. */
function releaseRole(scope: Construct, fn: IFunction, alarms: Alarm[]): Role {
  const role = new Role(scope, 'ReleaseRole', {
    assumedBy: new ServicePrincipal('codedeploy.amazonaws.com'),
    description: `CodeDeploy releases of ${fn.node.path}`,
  });
  role.addToPolicy(
    new PolicyStatement({
      actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
      resources: [fn.functionArn, `${fn.functionArn}:*`],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map((a) => a.alarmArn) }),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*]`,
    reason: 'The versions of this one function, which CodeDeploy points the alias at.',
  });
  return role;
}

/**
 * A `live` alias for the function, which callers invoke (API Gateway, Step Functions, schedules,
 * queues). CodeDeploy moves it to each new version by the stage's canary (all at once in dev) and
 * rolls back if the new version's alarms fire.
 */
export function releaseThroughAlias(
  scope: Construct,
  fn: IFunction & { currentVersion: Alias['version'] },
  environment: Environment,
  timeout: Duration,
): { live: Alias; alarms: Alarm[] } {
  const live = new Alias(scope, 'Live', { aliasName: 'live', version: fn.currentVersion });
  const alarms = newVersionAlarms(scope, fn, fn.currentVersion, timeout);
  const role = releaseRole(scope, fn, alarms);
  const { canary } = environment;
  new LambdaDeploymentGroup(scope, 'Release', {
    role,
    alias: live,
    deploymentConfig: canary
      ? new LambdaDeploymentConfig(scope, 'Canary', {
          trafficRouting: TrafficRouting.timeBasedCanary({
            interval: Duration.minutes(canary.minutes),
            percentage: canary.percent,
          }),
        })
      : LambdaDeploymentConfig.ALL_AT_ONCE,
    alarms,
    autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
  });
  // The deployment group attaches AWS's AWSCodeDeployRoleForLambdaLimited (actions on *); the inline
  // policy is all CodeDeploy needs for the alias it moves and the alarms it reads, so that one goes.
  (role.node.defaultChild as CfnRole).managedPolicyArns = undefined;
  return { live, alarms };
}
