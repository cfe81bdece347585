import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { assetCacheControl, consolePolicy, pageCacheControl } from '../../src/platform/http/console.js';
import { buildApp } from '../app.js';
import { apiRoutes } from '../console/api-routes.js';

/** CloudFront's managed policies, by their fixed ids. */
const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const allViewerExceptHost = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const consoleOf = (context: Record<string, string>) =>
  Template.fromStack(
    buildApp(new App({ context: { stage: 'dev', ...context } })).node.findChild('skiff-dev-console') as Stack,
  );

type Behavior = Record<string, unknown> & { PathPattern: string; TargetOriginId: string };
type Config = {
  DefaultCacheBehavior: Record<string, unknown>;
  CacheBehaviors: Behavior[];
  Origins: { Id: string; DomainName: unknown; CustomOriginConfig?: Record<string, unknown> }[];
  Logging?: { Bucket: unknown; Prefix: string };
  DefaultRootObject: string;
  CustomErrorResponses?: unknown;
  ViewerCertificate?: Record<string, unknown>;
};

function distributionConfig(template: Template): Config {
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution'));
  return distribution?.Properties.DistributionConfig as Config;
}

describe('the console on AWS (dev)', () => {
  let template: Template;
  let config: Config;
  beforeAll(() => {
    template = consoleOf({ usersOrigin: 'users.example.org' });
    config = distributionConfig(template);
  });

  it('keeps the files in a private, encrypted, TLS-only bucket that only this distribution may read', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'skiff-dev-console-site',
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({})] },
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy')).filter((p) =>
      JSON.stringify(p.Properties.Bucket).includes('SiteBucket'),
    );
    const statements = policy?.Properties.PolicyDocument.Statement as Record<string, unknown>[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    expect(JSON.stringify(allows[0]?.Condition)).toContain('Distribution');
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s).includes('SecureTransport'))).toBe(
      true,
    );
  });

  it('serves the page over HTTPS only, with the same CSP as npm start and the security headers', () => {
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: consolePolicy, Override: true },
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
          }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      }),
    });
  });

  it('keeps URLs (usernames, searched names) out of edge logs: access is logged at the origins', () => {
    expect(config.Logging).toBeUndefined();
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    const site = buckets.find((b) => b.Properties.BucketName === 'skiff-dev-console-site');
    expect(site?.Properties.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'skiff-dev-console-site/' });
  });

  it('sends every API path pattern to its own service, uncached, with every method and the viewer headers but Host', () => {
    const patterns = Object.values(apiRoutes).flat();
    expect(config.CacheBehaviors.map((b) => b.PathPattern)).toEqual(patterns);
    for (const behavior of config.CacheBehaviors) {
      expect(behavior, behavior.PathPattern).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: cachingDisabled,
        OriginRequestPolicyId: allViewerExceptHost,
        AllowedMethods: expect.arrayContaining(['GET', 'PUT', 'POST', 'DELETE']),
      });
    }
    const originOf = (pattern: string) => {
      const behavior = config.CacheBehaviors.find((b) => b.PathPattern === pattern);
      return config.Origins.find((o) => o.Id === behavior?.TargetOriginId);
    };
    for (const [service, servicePatterns] of Object.entries(apiRoutes)) {
      const origins = new Set(servicePatterns.map((pattern) => originOf(pattern)?.Id));
      expect(origins.size, service).toBe(1);
      const domain = JSON.stringify(originOf(servicePatterns[0] as string)?.DomainName);
      expect(domain).toContain(service === 'users' ? 'users.example.org' : `skiff-dev-${service}:`);
      expect(originOf(servicePatterns[0] as string)?.CustomOriginConfig).toMatchObject({
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
      });
    }
  });

  it('maps no error to the page: an API 404 or 403 reaches the browser as the API wrote it', () => {
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('uploads the assets cached for ever and the page always revalidated, invalidating the page', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      SystemMetadata: { 'cache-control': assetCacheControl },
      Prune: false,
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      SystemMetadata: { 'cache-control': pageCacheControl },
      DistributionPaths: ['/', '/index.html'],
    });
  });
});

describe('the console distribution, configured', () => {
  it('leaves the users routes out when no users origin is given (they would reach the bucket, not EKS)', () => {
    const config = distributionConfig(consoleOf({}));
    const patterns = config.CacheBehaviors.map((b) => b.PathPattern);
    for (const pattern of apiRoutes.users) expect(patterns).not.toContain(pattern);
    expect(patterns).toContain('/records');
  });

  it('serves a custom domain with its certificate and TLS 1.2 at least', () => {
    const certificateArn = 'arn:aws:acm:us-east-1:111111111111:certificate/abc';
    const config = distributionConfig(
      consoleOf({ consoleDomain: 'console.example.org', consoleCertificateArn: certificateArn }),
    );
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    expect(() => consoleOf({ consoleDomain: 'console.example.org' })).toThrow(/both/);
  });

  it('gives each stage its own domain and users origin, and refuses one shared by every stage built', () => {
    const context = {
      stages: 'dev,prod',
      'prod.consoleDomain': 'console.example.org',
      'prod.consoleCertificateArn': 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
      'prod.usersOrigin': 'users.example.org',
    };
    const app = buildApp(new App({ context }));
    const configOf = (stage: string) =>
      distributionConfig(Template.fromStack(app.node.findChild(`skiff-${stage}-console`) as Stack));
    expect(configOf('prod').ViewerCertificate).toMatchObject({
      AcmCertificateArn: context['prod.consoleCertificateArn'],
    });
    expect(configOf('dev').ViewerCertificate).toBeUndefined();
    expect(JSON.stringify(configOf('prod').Origins)).toContain('users.example.org');
    expect(JSON.stringify(configOf('dev').Origins)).not.toContain('users.example.org');
    const shared = { stages: 'dev,prod', usersOrigin: 'users.example.org' };
    expect(() => buildApp(new App({ context: shared }))).toThrow(/name its stage/);
  });
});
