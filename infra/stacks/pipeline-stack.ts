import { Stack, type StackProps, Stage, type StageProps } from 'aws-cdk-lib';
import { NotificationRule } from 'aws-cdk-lib/aws-codestarnotifications';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { CodePipeline, CodePipelineSource, ManualApprovalStep, ShellStep } from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { acknowledge, cdkS3WildcardActions } from '../acknowledge.js';
import { type Environment, environmentFor } from '../environments.js';
import { addStageStacks, type StageSettings } from '../stage-stacks.js';
import { alertsTopicName } from './alerts-stack.js';

export interface PipelineStackProps extends StackProps {
  /** `owner/name` on GitHub (context `pipelineRepo`, else `githubRepo`). */
  repository: string;
  branch: string;
  /** The CodeStar connection to GitHub (context `connectionArn`), made once in the console. */
  connectionArn: string;
  settings: StageSettings;
  /** The app's other context, passed on to the pipeline's own synth (`-c name=value` each). */
  context: Record<string, string>;
}

/** One stage's stacks as a CDK Pipelines stage: the same stacks `cdk deploy` makes. */
class SkiffStage extends Stage {
  constructor(scope: Construct, environment: Environment, settings: StageSettings, props: StageProps) {
    super(scope, environment.stage, props);
    const region = props.env?.region ?? 'eu-west-1';
    addStageStacks(
      this,
      environment,
      settings,
      { account: props.env?.account, region },
      { withCluster: false },
    );
  }
}

/**
 * The energy-auction brief's delivery, with AWS's own tools: CodePipeline (CDK Pipelines) builds from
 * GitHub through a CodeStar connection, runs the same checks as CI in its synth step, deploys dev on
 * every push, then stage and prod after manual approvals; a failed execution notifies the alerts
 * topic of dev (and Slack through AWS Chatbot, subscribed to that topic).
 */
export class PipelineStack extends Stack {
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    // Everything the app was given, so the pipeline's synth builds the same stacks (alerts, settings).
    const context = Object.entries({
      ...props.context,
      connectionArn: props.connectionArn,
      pipelineRepo: props.repository,
      pipelineBranch: props.branch,
    })
      .map(([name, value]) => `-c ${name}=${JSON.stringify(value)}`)
      .join(' ');
    const pipeline = new CodePipeline(this, 'Pipeline', {
      pipelineName: 'skiff',
      crossAccountKeys: false,
      synth: new ShellStep('Synth', {
        input: CodePipelineSource.connection(props.repository, props.branch, {
          connectionArn: props.connectionArn,
        }),
        commands: ['npm ci', 'npm test', `npx cdk synth ${context}`],
      }),
    });
    const env = { account: props.env?.account, region: props.env?.region };
    const stage = (name: string) => new SkiffStage(this, environmentFor(name), props.settings, { env });
    pipeline.addStage(stage('dev'));
    pipeline.addStage(stage('stage'), { pre: [new ManualApprovalStep('PromoteToStage')] });
    pipeline.addStage(stage('prod'), { pre: [new ManualApprovalStep('PromoteToProd')] });
    pipeline.buildPipeline();

    const alerts = Topic.fromTopicArn(
      this,
      'Alerts',
      this.formatArn({ service: 'sns', resource: alertsTopicName('dev') }),
    );
    new NotificationRule(this, 'Failures', {
      source: pipeline.pipeline,
      events: [
        'codepipeline-pipeline-pipeline-execution-failed',
        'codepipeline-pipeline-manual-approval-needed',
      ],
      targets: [alerts],
    });
    this.acknowledge(pipeline);
  }

  /** cdk-nag findings on CDK Pipelines' own machinery, acknowledged there only, with reasons. */
  private acknowledge(pipeline: CodePipeline): void {
    const region = this.region;
    const codebuild = (project: string) => [
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:<AWS::AccountId>:log-group:/aws/codebuild/<${project}>:*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:<AWS::AccountId>:report-group/<${project}>-*]`,
    ];
    const ids = [
      'AwsSolutions-CB4',
      'AwsSolutions-S1',
      ...cdkS3WildcardActions(['GetObject*', 'GetBucket*', 'List*', 'DeleteObject*', 'Abort*']),
      'AwsSolutions-IAM5[Resource::<PipelineArtifactsBucketAEA9A052.Arn>/*]',
      ...codebuild('PipelineUpdatePipelineSelfMutationDAA41400'),
      ...codebuild('PipelineBuildSynthCdkBuildProject6BEFA8E6'),
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:<AWS::AccountId>:log-group:/aws/codebuild/*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${region}:<AWS::AccountId>:report-group/*]`,
      'AwsSolutions-IAM5[Resource::arn:*:iam::<AWS::AccountId>:role/*]',
      // Self-mutation reads any stack's state; the asset role lists buckets: no resource to name.
      'AwsSolutions-IAM5[Resource::*]',
    ];
    acknowledge(
      pipeline,
      ids,
      "CDK Pipelines' own roles, build projects and artifact bucket, as aws-cdk-lib makes them: the artifacts bucket is private and encrypted, build logs and reports are the projects' own, and self-mutation assumes only the CDK bootstrap roles.",
    );
  }
}
