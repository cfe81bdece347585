import { existsSync } from 'node:fs';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  type IOrigin,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  type ResponseSecurityHeadersBehavior,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { assetCacheControl, consolePolicy, pageCacheControl } from '../../src/platform/http/console.js';
import { physicalName } from '../../src/platform/resources.js';
import { acknowledge, cdkS3WildcardActions } from '../acknowledge.js';
import { apiRoutes, type RoutedService } from '../console/api-routes.js';
import { PrivateBucket } from '../constructs/private-bucket.js';
import { type Environment, qualifierFor } from '../environments.js';

/** The built console (`npm install` runs `web/build.mjs`). */
const builtConsole = 'web/dist';

export interface ConsoleStackProps extends StackProps {
  environment: Environment;
  /** Each Lambda-served service's HTTP API, reached under the console's own origin. */
  apis: Record<Exclude<RoutedService, 'users'>, HttpApi>;
  /** The users service's ingress host on EKS (`-c usersOrigin=users.example.com`); unset: not routed. */
  usersOrigin?: string;
  /** A custom domain and its ACM certificate in us-east-1; unset: the distribution's own name. */
  domain?: { name: string; certificateArn: string };
}

/** HSTS, no sniffing, no framing, no referrer: on every answer, the console's and the APIs' alike. */
const securityHeaders: ResponseSecurityHeadersBehavior = {
  strictTransportSecurity: {
    accessControlMaxAge: Duration.days(730),
    includeSubdomains: true,
    preload: true,
    override: true,
  },
  contentTypeOptions: { override: true },
  frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
  referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
};

/**
 * The web console on AWS: its static files in a private bucket, read by CloudFront only (origin
 * access control), HTTPS only, security headers, access logged at the origins; and the API routes under the same
 * distribution, sent to each service's HTTP API, so the browser has one origin and needs no CORS.
 */
export class ConsoleStack extends Stack {
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    if (!existsSync(`${builtConsole}/index.html`)) {
      throw new Error(`${builtConsole} is missing: run npm install (it builds the console) before synth`);
    }
    const { environment } = props;
    const site = new PrivateBucket(this, 'Site', {
      bucketName: physicalName(environment.stage, 'console', 'site'),
      environment,
      noncurrentVersionDays: 7,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `skiff console (${environment.stage})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy('ConsoleHeaders', consolePolicy),
        compress: true,
      },
      additionalBehaviors: this.apiBehaviors(props),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      // No edge logs: CloudFront's would record every path and query, and ours carry personal data
      // (`/hello/{username}`, `/records?last_name=`). Access is logged at the origins instead.
      enableLogging: false,
      ...(props.domain && {
        domainNames: [props.domain.name],
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
    });
    this.deploy(site.bucket);
    // The distribution's own name always answers (the smoke test uses it); a custom domain needs its
    // DNS record (an alias to this name) before it does.
    new CfnOutput(this, 'ConsoleUrl', { value: `https://${this.distribution.distributionDomainName}/` });
    if (props.domain) new CfnOutput(this, 'ConsoleDomainUrl', { value: `https://${props.domain.name}/` });
    this.acknowledge(Boolean(props.domain));
    this.acknowledgeDeployment(site.bucket, environment);
  }

  /** The security headers, with a Content-Security-Policy: the console's own, or none-at-all for JSON. */
  private headersPolicy(id: string, contentSecurityPolicy: string): ResponseHeadersPolicy {
    return new ResponseHeadersPolicy(this, id, {
      securityHeadersBehavior: {
        ...securityHeaders,
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
      },
    });
  }

  /**
   * One behavior per API path pattern: HTTPS only (a redirected POST would lose its body), never
   * cached, every method, every viewer header (the records API key, the idempotency key) except Host,
   * which API Gateway needs to be its own.
   */
  private apiBehaviors(props: ConsoleStackProps): Record<string, BehaviorOptions> {
    const headers = this.headersPolicy('ApiHeaders', "default-src 'none'; frame-ancestors 'none'");
    const origins: Partial<Record<RoutedService, IOrigin>> = Object.fromEntries(
      Object.entries(props.apis).map(([service, api]) => [
        service,
        new HttpOrigin(`${api.apiId}.execute-api.${this.region}.${this.urlSuffix}`, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originSslProtocols: [OriginSslPolicy.TLS_V1_2],
          // API Gateway's own integration limit is 30 s.
          readTimeout: Duration.seconds(30),
        }),
      ]),
    );
    if (props.usersOrigin) {
      origins.users = new HttpOrigin(props.usersOrigin, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      });
    }
    const behaviors: Record<string, BehaviorOptions> = {};
    for (const [service, patterns] of Object.entries(apiRoutes)) {
      const origin = origins[service as RoutedService];
      if (!origin) continue;
      for (const pattern of patterns) {
        behaviors[pattern] = {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
          compress: true,
        };
      }
    }
    return behaviors;
  }

  /**
   * The built files, each with its caching: the hashed assets cached for ever and kept across deploys
   * (a page loaded before a deploy still finds its script); the page always revalidated, and
   * invalidated at the edge on each deploy.
   */
  private deploy(bucket: IBucket): void {
    const assets = new BucketDeployment(this, 'Assets', {
      sources: [Source.asset(builtConsole, { exclude: ['index.html'] })],
      destinationBucket: bucket,
      prune: false,
      cacheControl: [CacheControl.fromString(assetCacheControl)],
    });
    const page = new BucketDeployment(this, 'Page', {
      sources: [Source.asset(builtConsole, { exclude: ['assets'] })],
      destinationBucket: bucket,
      prune: false,
      cacheControl: [CacheControl.fromString(pageCacheControl)],
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html'],
    });
    // The page names the assets: they must be there before it is.
    page.node.addDependency(assets);
  }

  /** cdk-nag findings this stack accepts, each with its reason. */
  private acknowledge(customDomain: boolean): void {
    acknowledge(
      this,
      ['AwsSolutions-CFR1'],
      'A public console for every country the APIs serve: no geographic restriction to apply.',
    );
    acknowledge(
      this,
      ['AwsSolutions-CFR2'],
      'A CloudFront web ACL must live in us-east-1 and this stack deploys to the stage region; the HTTP APIs behind it are throttled per stage. docs/console.md says how to attach one.',
    );
    if (!customDomain) {
      acknowledge(
        this,
        ['AwsSolutions-CFR4'],
        'Without -c consoleDomain and its certificate, the distribution uses the cloudfront.net certificate, whose TLS floor CloudFront sets; with them, TLS 1.2 (2021) is the minimum.',
      );
    }
    acknowledge(
      this,
      ['AwsSolutions-CFR3'],
      "CloudFront's access logs record every path and query string, and skiff's carry personal data (/hello/{username}, /records?last_name=): they would break the rule that no log holds it. Access is logged at the origins: API Gateway's access logs (no path or query) and the site bucket's S3 server access logs. docs/console.md says how to add CloudFront's v2 logs with the URL fields left out.",
    );
  }

  /** The CDK's BucketDeployment handler: its grants, named by what they reach. */
  private acknowledgeDeployment(site: IBucket, environment: Environment): void {
    const handler = this.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) throw new Error('BucketDeployment handler not found: aws-cdk-lib renamed it');
    const ids = [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-L1',
      ...cdkS3WildcardActions(['GetObject*', 'GetBucket*', 'List*', 'DeleteObject*', 'Abort*']),
      `AwsSolutions-IAM5[Resource::<${this.getLogicalId(site.node.defaultChild as CfnBucket)}.Arn>/*]`,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${qualifierFor(environment.stage)}-assets-<AWS::AccountId>-${this.region}/*]`,
      // cloudfront:CreateInvalidation and GetInvalidation, which BucketDeployment grants on every distribution.
      'AwsSolutions-IAM5[Resource::*]',
    ];
    acknowledge(
      handler,
      ids,
      "aws-cdk-lib's BucketDeployment handler, as the CDK makes it: it copies the built console from the stage's assets bucket into the console bucket, invalidates the page, and logs only to its own log group.",
    );
  }
}
