import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  CfnOIDCProvider,
  type IOpenIdConnectProvider,
  OpenIdConnectPrincipal,
  OpenIdConnectProvider,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { type Environment, qualifierFor } from '../environments.js';

export interface GitHubOidcStackProps extends StackProps {
  /** `owner/name` of the GitHub repository whose workflows deploy (context `githubRepo`). */
  repository: string;
  stages: string[];
  /** An account has one provider per URL: reuse it when it exists (context `githubOidcProviderArn`). */
  existingProviderArn?: string;
}

const issuer = 'token.actions.githubusercontent.com';

/**
 * The CDK bootstrap roles a deploy of a built assembly uses, for one stage in this account and region
 * (its own qualifier, `qualifierFor`): not the lookup role, which holds ReadOnlyAccess to the whole
 * account and which a deploy of `cdk.out` (no synthesis, no lookups) never needs.
 */
const bootstrapRoles = (stack: Stack, stage: string) =>
  ['deploy', 'file-publishing', 'image-publishing'].map(
    (purpose) =>
      `arn:${stack.partition}:iam::${stack.account}:role/cdk-${qualifierFor(stage as Environment['stage'])}-${purpose}-role-${stack.account}-${stack.region}`,
  );

/**
 * GitHub Actions' way into AWS with no stored key: the GitHub OIDC provider, and one deploy role per
 * stage that only a workflow job running in that stage's GitHub environment can assume. A role may
 * assume the CDK bootstrap roles (which do the deploying), read its stage's stack outputs for the
 * smoke test, and push the stage's container image.
 */
export class GitHubOidcStack extends Stack {
  constructor(scope: Construct, id: string, props: GitHubOidcStackProps) {
    super(scope, id, props);
    if (!/^[\w.-]+\/[\w.-]+$/.test(props.repository)) {
      throw new Error(`githubRepo must be owner/name, got "${props.repository}"`);
    }
    const providerArn =
      props.existingProviderArn ??
      new CfnOIDCProvider(this, 'GitHub', { url: `https://${issuer}`, clientIdList: ['sts.amazonaws.com'] })
        .attrArn;
    const provider = OpenIdConnectProvider.fromOpenIdConnectProviderArn(this, 'Provider', providerArn);
    for (const stage of props.stages) this.deployRole(provider, props.repository, stage);
  }

  private deployRole(provider: IOpenIdConnectProvider, repository: string, stage: string) {
    const role = new Role(this, `Deploy-${stage}`, {
      roleName: `skiff-${stage}-github-deploy`,
      description: `GitHub Actions deploys of ${repository} to ${stage}`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new OpenIdConnectPrincipal(provider, {
        StringEquals: {
          [`${issuer}:aud`]: 'sts.amazonaws.com',
          // Only jobs in the GitHub environment of this stage, which its reviewers gate.
          [`${issuer}:sub`]: `repo:${repository}:environment:${stage}`,
        },
      }),
    });
    // Only its own stage's bootstrap roles: a dev job cannot deploy prod, even in one account.
    role.addToPolicy(
      new PolicyStatement({ actions: ['sts:AssumeRole'], resources: bootstrapRoles(this, stage) }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ['cloudformation:DescribeStacks'],
        resources: [
          `arn:${this.partition}:cloudformation:${this.region}:${this.account}:stack/skiff-${stage}-*/*`,
        ],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: [
          'ecr:BatchCheckLayerAvailability',
          'ecr:InitiateLayerUpload',
          'ecr:UploadLayerPart',
          'ecr:CompleteLayerUpload',
          'ecr:PutImage',
          'ecr:BatchGetImage',
          'ecr:DescribeImageScanFindings',
          'ecr:DescribeImages',
        ],
        resources: [`arn:${this.partition}:ecr:${this.region}:${this.account}:repository/skiff-${stage}`],
      }),
    );
    // Logging in to a registry has no resource to scope to.
    role.addToPolicy(new PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken takes no resource; every other action is scoped to the stage.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${this.region}:<AWS::AccountId>:stack/skiff-${stage}-*/*]`,
      reason: `This stage's stacks only, whose outputs the smoke test reads.`,
    });
    new CfnOutput(this, `DeployRoleArn-${stage}`, {
      value: role.roleArn,
      description: `Set as the ${stage} environment's AWS_DEPLOY_ROLE_ARN variable in GitHub`,
    });
  }
}
