import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Environment } from '../environments.js';

export interface HttpApiFunctionProps {
  service: string;
  /** The Lambda entry module, e.g. `src/services/greetings/lambda.ts`. */
  entry: string;
  environment: Environment;
}

/**
 * One service's Fastify app as a Lambda function behind an API Gateway HTTP API: arm64, bundled by
 * esbuild on this machine (no Docker), JSON logs with retention, access logs and stage throttling.
 */
export class HttpApiFunction extends Construct {
  readonly function: NodejsFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, { service, entry, environment }: HttpApiFunctionProps) {
    super(scope, id);
    const prefix = `skiff-${environment.stage}-${service}`;
    const functionLogs = new LogGroup(this, 'FunctionLogs', {
      retention: environment.logRetention,
      removalPolicy: environment.removalPolicy,
    });
    // Its own role instead of AWSLambdaBasicExecutionRole: logs go to this function's group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `skiff ${service} function (${environment.stage})`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [functionLogs.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      role,
      description: `skiff ${service} HTTP API (${environment.stage})`,
      entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      logGroup: functionLogs,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        SKIFF_STAGE: environment.stage,
        SERVICES: service,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node24',
        minify: true,
        sourceMap: true,
        // The SDK v3 in the runtime is newer than ours may be; bundle ours so behaviour is what we tested.
        bundleAwsSDK: true,
      },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: environment.logRetention,
      removalPolicy: environment.removalPolicy,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: prefix,
      description: `skiff ${service} (${environment.stage})`,
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('Lambda', this.function),
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: environment.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const fiveMinutes = { period: Duration.minutes(5) };
    this.alarms = [
      this.alarm('ServerErrors', this.stage.metricServerError(fiveMinutes), 5, 'API answered 5xx'),
      this.alarm('FunctionErrors', this.function.metricErrors(fiveMinutes), 1, 'the function threw'),
      this.alarm('FunctionThrottles', this.function.metricThrottles(fiveMinutes), 1, 'invocations throttled'),
    ];
  }

  private alarm(id: string, metric: IMetric, threshold: number, what: string): Alarm {
    return new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `${this.node.path}: ${what} at least ${threshold} time(s) in 5 minutes`,
    });
  }
}
