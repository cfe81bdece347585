import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';

/** Zero-downtime releases: every function behind a `live` alias that CodeDeploy moves by canary. */
const templateOf = (stage: string, service: string) =>
  Template.fromStack(
    buildApp(new App({ context: { stage } })).node.findChild(`skiff-${stage}-${service}`) as Stack,
  );

describe('releases', () => {
  const orders = templateOf('stage', 'orders');

  it('serves every API through its live alias, never $LATEST', () => {
    const [integration] = Object.values(orders.findResources('AWS::ApiGatewayV2::Integration'));
    expect(JSON.stringify(integration?.Properties.IntegrationUri)).toMatch(/HttpLambdaLive/);
    orders.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live' });
  });

  it('has Step Functions call the task functions through their live aliases', () => {
    const [machine] = Object.values(orders.findResources('AWS::StepFunctions::StateMachine'));
    for (const name of ['FetchResultsArn', 'DeliverBatchArn', 'SummarizeRunArn']) {
      expect(machine?.Properties.DefinitionSubstitutions[name]).toEqual({
        Ref: expect.stringMatching(/Live/),
      });
    }
  });

  it('moves each alias by a 10% canary for 5 minutes in stage, rolling back on its alarms', () => {
    orders.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'Lambda',
      TrafficRoutingConfig: {
        Type: 'TimeBasedCanary',
        TimeBasedCanary: { CanaryPercentage: 10, CanaryInterval: 5 },
      },
    });
    const groups = Object.values(orders.findResources('AWS::CodeDeploy::DeploymentGroup'));
    expect(groups).toHaveLength(4);
    for (const group of groups) {
      expect(group.Properties.AutoRollbackConfiguration).toEqual({
        Enabled: true,
        Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
      });
      expect(group.Properties.AlarmConfiguration.Alarms).toHaveLength(2);
    }
    // The new version's own metrics, through the alias: the old version's errors never roll it back.
    const watched = Object.values(orders.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      ['Errors', 'Duration'].includes(a.Properties.MetricName),
    );
    const executed = watched.filter((a) =>
      (a.Properties.Dimensions as { Name: string }[]).some((d) => d.Name === 'ExecutedVersion'),
    );
    expect(executed).toHaveLength(8);
    const aliases = Object.values(orders.findResources('AWS::Lambda::Alias'));
    for (const alias of aliases) {
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate).toEqual(
        expect.objectContaining({ DeploymentGroupName: expect.anything() }),
      );
    }
  });

  it('shifts all at once in dev, where speed beats caution', () => {
    const dev = templateOf('dev', 'greetings');
    const [group] = Object.values(dev.findResources('AWS::CodeDeploy::DeploymentGroup'));
    expect(group?.Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaAllAtOnce');
  });
});
