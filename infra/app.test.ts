import { App, type Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

describe('the CDK app', () => {
  it('has one stack per service, plus the EKS cluster, per stage', () => {
    const app = buildApp(new App({ context: { stage: 'stage' } }));
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual(
      [
        'skiff-stage-donations',
        'skiff-stage-eks',
        'skiff-stage-greetings',
        'skiff-stage-orders',
        'skiff-stage-records',
        'skiff-stage-users',
      ].sort(),
    );
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'stage', 'prod'])('passes for %s with every finding acknowledged', (stage) => {
    expect(() => buildApp(new App({ context: { stage } })).synth()).not.toThrow();
  });

  it('fails synthesis on an unacknowledged finding', () => {
    const app = buildApp(new App({ context: { stage: 'dev' } }));
    new Bucket(app.node.findChild('skiff-dev-greetings') as Stack, 'PlainBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|server access logs/);
  });

  it('refuses an unknown stage', () => {
    expect(() => buildApp(new App({ context: { stage: 'qa' } }))).toThrow(/Unknown stage "qa"/);
  });
});
