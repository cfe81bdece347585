import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { physicalName } from '../../src/platform/resources.js';
import { greetingsResources } from '../../src/services/greetings/resources.js';
import { CatalogTable } from '../constructs/catalog-table.js';
import { HttpApiFunction } from '../constructs/http-api-function.js';
import type { Environment } from '../environments.js';

export interface GreetingsStackProps extends StackProps {
  environment: Environment;
}

/** Greetings: `PUT/GET /hello/{username}` on Lambda behind an HTTP API, with its birthdays table. */
export class GreetingsStack extends Stack {
  /** The HTTP API and its function, for the stage's dashboard. */
  readonly http: HttpApiFunction;

  constructor(scope: Construct, id: string, props: GreetingsStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const birthdays = new CatalogTable(this, 'Birthdays', {
      tableName: physicalName(environment.stage, 'greetings', 'birthdays'),
      spec: greetingsResources.tables.birthdays,
      environment,
      personalData: true,
    });
    const http = new HttpApiFunction(this, 'Http', {
      service: 'greetings',
      function: 'greetings-api',
      environment,
    });
    this.http = http;
    birthdays.grantExactly(http.function, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable']);
    new CfnOutput(this, 'ApiUrl', { value: http.stage.url, description: 'Base URL of the greetings API' });

    Validations.of(http.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The brief defines a public, unauthenticated API: PUT/GET /hello/{username}.',
    });
  }
}
