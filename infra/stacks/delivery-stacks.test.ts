import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';

/** The delivery stacks: GitHub OIDC deploy roles, and the CodePipeline alternative. */
let oidc: Template;
let pipeline: Template;
let stageStacks: string[];

beforeAll(() => {
  const app = buildApp(
    new App({
      context: {
        stage: 'dev',
        githubRepo: 'acme/skiff',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/abc',
        alertsEmail: 'ops@example.org',
      },
    }),
  );
  const stage = app.node.findChild('skiff-pipeline').node.findChild('dev');
  stageStacks = stage.node.children.map((child) => child.node.id);
  oidc = Template.fromStack(app.node.findChild('skiff-github-oidc') as Stack);
  pipeline = Template.fromStack(app.node.findChild('skiff-pipeline') as Stack);
}, 240_000);

describe('GitHub OIDC', () => {
  it("trusts GitHub's token issuer for STS", () => {
    oidc.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it("gives each stage a deploy role only that stage's GitHub environment of this repository can assume", () => {
    for (const stage of ['dev', 'stage', 'prod']) {
      oidc.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `skiff-${stage}-github-deploy`,
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringEquals: {
                  'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                  'token.actions.githubusercontent.com:sub': `repo:acme/skiff:environment:${stage}`,
                },
              },
            }),
          ],
        },
      });
    }
  });

  it("lets a deploy role assume only its own stage's CDK bootstrap roles, and nothing broader", () => {
    const policies = Object.entries(oidc.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(3);
    for (const [id, policy] of policies) {
      const stage = ['dev', 'stage', 'prod'].find((s) => id.toLowerCase().includes(`deploy${s}`)) as string;
      const statements = policy.Properties.PolicyDocument.Statement as {
        Action: string | string[];
        Resource: unknown;
      }[];
      const assume = statements.find((s) => s.Action === 'sts:AssumeRole');
      // Each stage is bootstrapped with its own qualifier: a dev job cannot take prod's roles, and
      // it takes its own deploy and publishing roles by name, never the account-wide lookup role.
      const roles = JSON.stringify(assume?.Resource);
      for (const purpose of ['deploy', 'file-publishing', 'image-publishing'])
        expect(roles).toContain(`:role/cdk-skiff${stage}-${purpose}-role-`);
      expect(roles).not.toMatch(/lookup|cdk-skiff\w+-\*/);
      expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('*');
    }
  });

  it('refuses a repository that is not owner/name', () => {
    expect(() => buildApp(new App({ context: { stage: 'dev', githubRepo: 'not a repo' } }))).toThrow(
      /owner\/name/,
    );
  });
});

describe('the CodePipeline alternative', () => {
  it('builds from GitHub through the connection and runs the tests in its synth step', () => {
    const [project] = Object.values(pipeline.findResources('AWS::CodeBuild::Project')).filter((p) =>
      JSON.stringify(p).includes('npm test'),
    );
    expect(JSON.stringify(project)).toMatch(/npm ci.*npm test.*cdk synth/);
    pipeline.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({
          Name: 'Source',
          Actions: [
            Match.objectLike({
              ActionTypeId: Match.objectLike({ Provider: 'CodeStarSourceConnection' }),
              Configuration: Match.objectLike({
                ConnectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/abc',
                FullRepositoryId: 'acme/skiff',
                BranchName: 'main',
              }),
            }),
          ],
        }),
      ]),
    });
  });

  it("synthesizes with the app's settings, so its stages are the stacks a person would deploy", () => {
    const [project] = Object.values(pipeline.findResources('AWS::CodeBuild::Project')).filter((p) =>
      JSON.stringify(p).includes('npm test'),
    );
    expect(JSON.stringify(project)).toContain('-c alertsEmail=');
    // The users service on EKS needs its image pushed first; the pipeline leaves the cluster out.
    expect(stageStacks.sort()).toEqual(
      ['alerts', 'console', 'dashboard', 'donations', 'greetings', 'orders', 'records'].map(
        (part) => `skiff-dev-${part}`,
      ),
    );
  });

  it('deploys dev at once, and stage and prod after manual approvals', () => {
    const [resource] = Object.values(pipeline.findResources('AWS::CodePipeline::Pipeline'));
    const stages = resource?.Properties.Stages as {
      Name: string;
      Actions: { Name: string; ActionTypeId: { Category: string } }[];
    }[];
    expect(stages.map((s) => s.Name)).toEqual(
      expect.arrayContaining(['Source', 'Build', 'UpdatePipeline', 'dev', 'stage', 'prod']),
    );
    const approvals = (name: string) =>
      stages.find((s) => s.Name === name)?.Actions.filter((a) => a.ActionTypeId.Category === 'Approval') ??
      [];
    expect(approvals('dev')).toEqual([]);
    expect(approvals('stage').map((a) => a.Name)).toEqual(['PromoteToStage']);
    expect(approvals('prod').map((a) => a.Name)).toEqual(['PromoteToProd']);
  });

  it('notifies the alerts topic when an execution fails', () => {
    pipeline.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: Match.arrayWith(['codepipeline-pipeline-pipeline-execution-failed']),
      Targets: [Match.objectLike({ TargetType: 'SNS' })],
    });
    const [rule] = Object.values(pipeline.findResources('AWS::CodeStarNotifications::NotificationRule'));
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('skiff-dev-platform-alerts');
  });
});
