import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, type ILocalBundling } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type Alias,
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Environment } from '../environments.js';
import { keptBundle } from '../lambda-bundle-cache.js';
import { type LambdaEntry, lambdaEntry } from '../lambda-bundling.js';
import { fiveMinutes, thresholdAlarm } from './alarms.js';
import { releaseThroughAlias } from './canary-release.js';

export interface ServiceFunctionProps {
  service: string;
  /** The function, one of `lambdaEntries` (`infra/lambda-bundling.ts`) by name, e.g. `records-api`. */
  function: string;
  description: string;
  environment: Environment;
  variables?: Record<string, string>;
  timeout?: Duration;
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The function's code: the one build of its entry (`buildLambdaBundle`: minified, tree-shaken, schemas
 * precompiled, no source map), made on this machine, never in Docker, and kept between syntheses
 * (`keptBundle`). The asset is named by its output, so an unchanged bundle is not uploaded again.
 */
function bundledCode(entry: LambdaEntry): Code {
  const local: ILocalBundling & { function: string } = {
    // Part of the asset's cache key, which is the bundling options' JSON: one bundle per function.
    function: entry.name,
    tryBundle(outputDir) {
      copyFileSync(join(keptBundle(entry.name), 'index.js'), join(outputDir, 'index.js'));
      return true;
    },
  };
  return Code.fromAsset(repositoryRoot, {
    assetHashType: AssetHashType.OUTPUT,
    // Never pulled: the local bundling above always builds, or fails the synth.
    bundling: { image: DockerImage.fromRegistry('skiff-bundles-locally'), local },
  });
}

/**
 * A skiff Lambda: arm64, bundled on this machine (no Docker) by the one build every Lambda shares
 * (`infra/lambda-bundling.ts`), JSON logs in
 * its own group with the stage's retention, its own role (no AWS managed policies), and alarms on
 * errors and throttles.
 */
export class ServiceFunction extends Construct {
  readonly function: LambdaFunction;
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
    this.function = new LambdaFunction(this, 'Function', {
      role,
      description: `${props.description} (${environment.stage})`,
      code: bundledCode(lambdaEntry(props.function)),
      handler: 'index.handler',
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
