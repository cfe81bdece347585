import { KubectlV33Layer } from '@aws-cdk/lambda-layer-kubectl-v33';
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  InstanceType,
  IpAddresses,
  LaunchTemplate,
  LaunchTemplateHttpTokens,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Repository, TagMutability } from 'aws-cdk-lib/aws-ecr';
import {
  AuthenticationMode,
  Cluster,
  ClusterLoggingTypes,
  EndpointAccess,
  KubernetesVersion,
  type Nodegroup,
  NodegroupAmiType,
} from 'aws-cdk-lib/aws-eks';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { Construct, IConstruct } from 'constructs';
import { acknowledge, cdkS3WildcardActions } from '../acknowledge.js';
import { type Environment, qualifierFor } from '../environments.js';
import type { UsersStack } from './users-stack.js';

/** Public only to the given CIDRs (never the whole Internet), else private to the VPC. */
export function endpointAccessFor(cidrs: string[]): EndpointAccess {
  if (cidrs.some((cidr) => cidr.endsWith('/0'))) {
    throw new Error('apiAllowedCidrs must not open the Kubernetes API to the whole Internet (a /0 range)');
  }
  return cidrs.length > 0 ? EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...cidrs) : EndpointAccess.PRIVATE;
}

export interface EksStackProps extends StackProps {
  environment: Environment;
  users: UsersStack;
  /** The image tag CI pushed to the stack's ECR repository (context `imageTag`). */
  imageTag: string;
  /** The users API's public base URL (context `usersPublicUrl`), for the links it hands out. */
  publicUrl?: string;
  /** CIDRs allowed to reach the Kubernetes API endpoint (context `apiAllowedCidrs`); none: private only. */
  apiAllowedCidrs: string[];
}

const namespace = 'skiff';

/**
 * An EKS cluster for skiff's containers, with the users service installed from the repository's
 * Helm chart; its pods assume an IAM role (IRSA) scoped to the users table and avatars prefix.
 */
export class EksStack extends Stack {
  readonly clusterName: string;

  constructor(scope: Construct, id: string, props: EksStackProps) {
    super(scope, id, props);
    const { environment, users } = props;
    this.clusterName = `skiff-${environment.stage}`;
    const vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: environment.stage === 'prod' ? 2 : 1,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC },
        { name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      ],
      flowLogs: {
        all: { destination: FlowLogDestination.toCloudWatchLogs(), trafficType: FlowLogTrafficType.REJECT },
      },
    });
    const cluster = new Cluster(this, 'Cluster', {
      clusterName: this.clusterName,
      version: KubernetesVersion.V1_33,
      kubectlLayer: new KubectlV33Layer(this, 'Kubectl'),
      vpc,
      vpcSubnets: [{ subnetType: SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: endpointAccessFor(props.apiAllowedCidrs),
      authenticationMode: AuthenticationMode.API,
      secretsEncryptionKey: new Key(this, 'SecretsKey', {
        enableKeyRotation: true,
        description: 'EKS secrets',
      }),
      clusterLogging: [
        ClusterLoggingTypes.API,
        ClusterLoggingTypes.AUDIT,
        ClusterLoggingTypes.AUTHENTICATOR,
        ClusterLoggingTypes.CONTROLLER_MANAGER,
        ClusterLoggingTypes.SCHEDULER,
      ],
      defaultCapacity: 0,
    });
    const nodes = this.addNodes(cluster);

    const images = new Repository(this, 'Images', {
      repositoryName: `skiff-${environment.stage}`,
      imageScanOnPush: true,
      imageTagMutability: TagMutability.IMMUTABLE,
      removalPolicy: environment.removalPolicy,
    });
    images.grantPull(nodes.role);

    const ns = cluster.addManifest('Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    const serviceAccount = cluster.addServiceAccount('UsersPods', { name: 'skiff-users', namespace });
    serviceAccount.node.addDependency(ns);
    users.grantService(serviceAccount);

    const chart = cluster.addHelmChart('Users', {
      chartAsset: new Asset(this, 'Chart', { path: 'deploy/helm/skiff' }),
      release: 'skiff',
      namespace,
      wait: true,
      values: {
        services: 'users',
        image: { repository: images.repositoryUri, tag: props.imageTag },
        serviceAccount: { create: false, name: serviceAccount.serviceAccountName },
        env: { AWS_REGION: this.region, SKIFF_STAGE: environment.stage, LOG_LEVEL: 'info' },
        // The links the API hands out (avatar URLs): context `usersPublicUrl`, e.g. the ingress's https URL.
        ...(props.publicUrl && { publicUrl: props.publicUrl }),
      },
    });
    chart.node.addDependency(serviceAccount);

    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new CfnOutput(this, 'ImageRepository', { value: images.repositoryUri });
    new CfnOutput(this, 'PodRoleArn', { value: serviceAccount.role.roleArn });
    this.acknowledge(users, serviceAccount.role, props.environment);
    this.acknowledgeClusterWildcards(cluster, nodes);
  }

  /**
   * Two Graviton nodes on Amazon Linux 2023: EKS publishes no Amazon Linux 2 image for Kubernetes
   * 1.33, and the AMI type CDK picks by default is AL2's. The launch template requires IMDSv2 with a
   * hop limit of 1, so a pod (one hop further than the node) cannot reach the instance metadata and
   * take the node role's credentials around its own IRSA role. Pods get their region from the chart.
   */
  private addNodes(cluster: Cluster): Nodegroup {
    const template = new LaunchTemplate(this, 'NodeLaunchTemplate', {
      httpTokens: LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      httpEndpoint: true,
    });
    return cluster.addNodegroupCapacity('Nodes', {
      amiType: NodegroupAmiType.AL2023_ARM_64_STANDARD,
      instanceTypes: [new InstanceType('t4g.medium')],
      minSize: 2,
      desiredSize: 2,
      maxSize: 2,
      launchTemplateSpec: {
        id: template.launchTemplateId as string,
        version: template.latestVersionNumber,
      },
    });
  }

  /** cdk-nag findings on the CDK's own EKS machinery, and the one wildcard that is ours, with reasons. */
  /**
   * `Resource::*` only where the CDK's EKS machinery needs it: the cluster creation role and the node
   * group role (ec2 and ecr calls that take no resource), not anywhere else in the stack.
   */
  private acknowledgeClusterWildcards(cluster: Cluster, nodes: Nodegroup): void {
    const creationRole = cluster.node.findChild('Resource').node.findChild('CreationRole');
    for (const role of [creationRole, nodes.role]) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Set by aws-cdk-lib for EKS: cluster creation and node calls (ec2:Describe*, ecr:GetAuthorizationToken) take no resource.',
      });
    }
  }

  private acknowledge(users: UsersStack, serviceAccountRole: IConstruct, environment: Environment): void {
    const accept = (reason: string, ids: string[]) => acknowledge(this, ids, reason);
    const lambdaLogs = 'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
    const lambdaVpc = 'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole';
    accept(
      'The API endpoint is private to the VPC unless apiAllowedCidrs names the CI and operator ranges (never a /0, which refuses to synthesize).',
      ['AwsSolutions-EKS1'],
    );
    accept(
      'CDK-owned custom-resource providers for EKS (cluster and kubectl): their roles, Lambda runtimes and waiter state machine are set by aws-cdk-lib, and may invoke only their own handlers.',
      [
        `AwsSolutions-IAM4[Policy::${lambdaLogs}]`,
        `AwsSolutions-IAM4[Policy::${lambdaVpc}]`,
        ...[
          'IsCompleteHandler7073F4DA',
          'OnEventHandler42BEBAE0',
          'ProviderframeworkisComplete26D7B0CB',
          'ProviderframeworkonTimeout0B47CA38',
          'Handler886CB40B',
        ].map((handler) => `AwsSolutions-IAM5[Resource::<${handler}.Arn>:*]`),
        'AwsSolutions-SF1',
        'AwsSolutions-SF2',
        'AwsSolutions-L1',
      ],
    );
    accept(
      'The kubectl handler reads the Helm chart asset from the CDK assets bucket and pulls kubectl images.',
      [
        ...cdkS3WildcardActions(['GetBucket*', 'GetObject*', 'List*']),
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifierFor(environment.stage)}-assets-<AWS::AccountId>-${this.region}/*]`,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly]',
        'AwsSolutions-IAM4[Policy::{"Fn::If":["ClusterHasEcrPublic8EE1114E",{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},{"Ref":"AWS::NoValue"}]}]',
      ],
    );
    accept(
      'EKS requires these AWS managed policies on the cluster and node roles; ecr:GetAuthorizationToken and the cluster creation role cannot be scoped to a resource.',
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSClusterPolicy]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKSWorkerNodePolicy]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEKS_CNI_Policy]',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly]',
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:${this.region}:<AWS::AccountId>:cluster/${this.clusterName}/*]`,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:${this.region}:<AWS::AccountId>:fargateprofile/${this.clusterName}/*]`,
      ],
    );
    Validations.of(serviceAccountRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${users.avatarsBucketName}/avatars/*]`,
      reason:
        'Avatar object names are generated per upload; the grant is limited to the avatars/ prefix of one bucket.',
    });
  }
}
