import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { greetingsResources } from '../../src/services/greetings/resources.js';
import { buildApp } from '../app.js';
import { environmentFor } from '../environments.js';
import { CatalogTable } from './catalog-table.js';

/** A stack holding one catalog table and two roles: one granted reads, one reads and writes. */
function tableWithGrants(personalData: boolean) {
  const stack = new Stack(new App(), 'Test', { env: { region: 'eu-west-1' } });
  const table = new CatalogTable(stack, 'Birthdays', {
    tableName: 'birthdays',
    spec: greetingsResources.tables.birthdays,
    environment: environmentFor('dev'),
    personalData,
  });
  const role = (id: string) =>
    new Role(stack, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  table.grantExactly(role('Reader'), ['dynamodb:GetItem', 'dynamodb:DescribeTable']);
  table.grantExactly(role('Writer'), ['dynamodb:GetItem', 'dynamodb:PutItem']);
  const template = Template.fromStack(stack);
  const statementsOf = (roleId: string) => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const [, policy] = policies.find(([id]) => id.startsWith(roleId)) ?? [];
    return policy?.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[];
  };
  return { template, statementsOf };
}

describe('a catalog table holding personal data', () => {
  it('is encrypted with a rotating key of its own', () => {
    const { template } = tableWithGrants(true);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [
        Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } }),
      ],
    });
  });

  it('grants the key with the table: decrypt for reads, encrypt too for writes, on that key alone', () => {
    const { template, statementsOf } = tableWithGrants(true);
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
    expect(statementsOf('Reader')[1]).toEqual({
      Action: ['kms:Decrypt', 'kms:DescribeKey'],
      Effect: 'Allow',
      Resource: keyArn,
    });
    expect(statementsOf('Writer')[1]).toEqual({
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Resource: keyArn,
    });
  });
});

describe('a catalog table without personal data', () => {
  it('uses the AWS-managed key, and its grants name no key', () => {
    const { template, statementsOf } = tableWithGrants(false);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(statementsOf('Writer')).toHaveLength(1);
    expect(statementsOf('Reader')).toHaveLength(1);
  });
});

describe('the tables of the app', () => {
  it('encrypt every table holding personal data with a customer-managed key; orders holds none', () => {
    const app = buildApp(new App({ context: { stage: 'dev' } }));
    const keys: Record<string, string> = {};
    for (const stack of app.node.children as Stack[]) {
      const tables = Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable');
      for (const table of Object.values(tables)) {
        const own = table.Properties.Replicas[0].SSESpecification?.KMSMasterKeyId;
        keys[table.Properties.TableName] = own ? 'customer-managed' : 'AWS-managed';
      }
    }
    expect(keys).toEqual({
      'skiff-dev-greetings-birthdays': 'customer-managed',
      'skiff-dev-donations-ledger': 'customer-managed',
      'skiff-dev-users-users': 'customer-managed',
      'skiff-dev-records-records': 'customer-managed',
      'skiff-dev-records-uploads': 'customer-managed',
      'skiff-dev-records-tenants': 'customer-managed',
      'skiff-dev-orders-orders': 'AWS-managed',
      'skiff-dev-orders-runs': 'AWS-managed',
    });
  });
});
