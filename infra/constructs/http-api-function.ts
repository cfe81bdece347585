import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, type HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Alias, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Environment } from '../environments.js';
import { fiveMinutes, thresholdAlarm } from './alarms.js';
import { ServiceFunction } from './service-function.js';

/** Every HTTP API function's timeout (API Gateway's own integration limit is 30 s). */
export const httpFunctionTimeout = Duration.seconds(10);

export interface HttpApiFunctionProps {
  service: string;
  /** The function serving the API, one of `lambdaEntries` by name (e.g. `records-api`). */
  function: string;
  environment: Environment;
  variables?: Record<string, string>;
}

/**
 * One service's Fastify app as a Lambda behind an API Gateway HTTP API, with JSON access logs,
 * stage throttling and alarms on 5xx, function errors and throttles.
 */
export class HttpApiFunction extends Construct {
  /** The default function: every route no `routeTo` function takes. */
  readonly function: LambdaFunction;
  /** Every function behind the API: the default one first, then those `routeTo` added. */
  readonly functions: LambdaFunction[];
  /** The alias API Gateway invokes. */
  readonly live: Alias;
  readonly role: Role;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly alarms: Alarm[];
  readonly #props: HttpApiFunctionProps;

  constructor(scope: Construct, id: string, props: HttpApiFunctionProps) {
    super(scope, id);
    this.#props = props;
    const { service, function: name, environment } = props;
    const lambda = this.#serviceFunction('Lambda', name, `skiff ${service} HTTP API`);
    this.function = lambda.function;
    this.functions = [lambda.function];
    this.live = lambda.live;
    this.role = lambda.role;
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: environment.logRetention,
      removalPolicy: environment.removalPolicy,
    });
    this.api = new HttpApi(this, 'Api', {
      apiName: `skiff-${environment.stage}-${service}`,
      description: `skiff ${service} (${environment.stage})`,
      createDefaultStage: false,
      // The `live` alias: a new version takes traffic only as CodeDeploy's canary lets it.
      defaultIntegration: new HttpLambdaIntegration('Lambda', lambda.live),
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: environment.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Not the caller's IP, user or caller: personal data, which no log here holds.
        format: AccessLogFormat.jsonWithStandardFields({
          ip: false,
          caller: false,
          user: false,
          requestTime: true,
          httpMethod: true,
          resourcePath: true,
          status: true,
          protocol: true,
          responseLength: true,
        }),
      },
    });
    this.alarms = [
      thresholdAlarm(
        this,
        'ServerErrors',
        this.stage.metricServerError(fiveMinutes),
        5,
        'the API answered 5xx',
      ),
      ...lambda.alarms,
    ];
  }

  /**
   * A function of its own for some of the API's routes, with the default function's settings: API
   * Gateway sends `routes` to it and every other route to the default one. For routes whose code
   * the others should not load on a cold start (records' uploads: S3 and multipart parsing).
   */
  routeTo(
    id: string,
    { function: name, description }: { function: string; description: string },
    routes: { method: HttpMethod; path: string }[],
  ): ServiceFunction {
    const lambda = this.#serviceFunction(id, name, description);
    const integration = new HttpLambdaIntegration(id, lambda.live);
    for (const { method, path } of routes) this.api.addRoutes({ path, methods: [method], integration });
    this.functions.push(lambda.function);
    this.alarms.push(...lambda.alarms);
    return lambda;
  }

  /** A function of this API's service, with its environment, variables and HTTP timeout. */
  #serviceFunction(id: string, name: string, description: string): ServiceFunction {
    const { service, environment, variables } = this.#props;
    return new ServiceFunction(this, id, {
      service,
      function: name,
      description,
      environment,
      variables,
      timeout: httpFunctionTimeout,
    });
  }
}
