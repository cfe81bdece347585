import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type Alias, Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Environment } from '../environments.js';
import { lambdaBundling } from '../lambda-bundling.js';
import { fiveMinutes, thresholdAlarm } from './alarms.js';
import { releaseThroughAlias } from './canary-release.js';

export interface ServiceFunctionProps {
  service: string;
  /** The function's entry module, one of `lambdaEntries` (`infra/lambda-bundling.ts`): it exports `handler`. */
  entry: string;
  description: string;
  environment: Environment;
  variables?: Record<string, string>;
  timeout?: Duration;
}

/**
 * A skiff Lambda: arm64, bundled by esbuild on this machine (no Docker) with the options every Lambda
 * shares (`infra/lambda-bundling.ts`: minified, tree-shaken, no source map in the asset), JSON logs in
 * its own group with the stage's retention, its own role (no AWS managed policies), and alarms on
 * errors and throttles.
 */
export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  /**
   * `live`: what callers invoke (API Gateway, Step Functions, schedules, queues). CodeDeploy moves it
   * to each new version by the stage's canary, rolling back if the new version's alarms fire.
   */
  readonly live: Alias;
  readonly role: Role;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { service, environment } = props;
    const logs = new LogGroup(this, 'Logs', {
      retention: environment.logRetention,
      removalPolicy: environment.removalPolicy,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (${environment.stage})`,
    });
    this.role = role;
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logs.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      role,
      description: `${props.description} (${environment.stage})`,
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup: logs,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        SKIFF_STAGE: environment.stage,
        SERVICES: service,
        ...props.variables,
      },
      bundling: lambdaBundling,
    });
    this.alarms = [
      thresholdAlarm(this, 'Errors', this.function.metricErrors(fiveMinutes), 1, 'the function threw'),
      thresholdAlarm(
        this,
        'Throttles',
        this.function.metricThrottles(fiveMinutes),
        1,
        'invocations throttled',
      ),
    ];
    const release = releaseThroughAlias(
      this,
      this.function,
      environment,
      props.timeout ?? Duration.seconds(10),
    );
    this.live = release.live;
    this.alarms.push(...release.alarms);
  }
}
