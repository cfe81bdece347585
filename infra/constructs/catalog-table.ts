import { AttributeType, Billing, type ITableV2, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { KeyAttribute, TableSpec } from '../../src/platform/resources.js';
import type { Environment } from '../environments.js';

const attributeTypes = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY };
const attribute = (key: KeyAttribute) => ({ name: key.name, type: attributeTypes[key.type] });

/**
 * What a function may do with a customer-managed key that encrypts its data. DescribeKey is in both,
 * as in CDK's own table grants and DynamoDB's documented key policy for customer managed keys: it
 * reads only the key's metadata, and a role without it is the one deploy-time difference from those
 * grants that no local engine could show.
 */
export const keyActions = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  readWrite: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
};

/** The table calls that only read: any other call in a grant also writes with the key. */
const readCalls = new Set([
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:DescribeTable',
]);

export interface CatalogTableProps {
  tableName: string;
  spec: TableSpec;
  environment: Environment;
  /**
   * Personal data is encrypted with a customer-managed key: `encryptionKey` when the stack shares one
   * with other resources and grants it itself (records), or, with `personalData`, a rotating key of
   * the table's own that `grantExactly` grants with the table. AWS-managed otherwise.
   */
  encryptionKey?: IKey;
  personalData?: boolean;
}

/** A DynamoDB table built from its catalog entry: on demand, encrypted, point-in-time recovery. */
export class CatalogTable extends Construct {
  readonly table: ITableV2;
  readonly #indexNames: string[];
  /** The table's own key, granted with the table; undefined when the stack grants a shared one. */
  readonly #ownKey: Key | undefined;

  constructor(scope: Construct, id: string, props: CatalogTableProps) {
    super(scope, id);
    const { tableName, spec, environment, personalData } = props;
    this.#indexNames = spec.globalIndexes?.map((index) => index.name) ?? [];
    this.#ownKey =
      personalData && !props.encryptionKey
        ? new Key(this, 'Key', {
            description: `${tableName}: personal data at rest`,
            enableKeyRotation: true,
            removalPolicy: environment.removalPolicy,
          })
        : undefined;
    const encryptionKey = props.encryptionKey ?? this.#ownKey;
    this.table = new TableV2(this, 'Table', {
      tableName,
      partitionKey: attribute(spec.partitionKey),
      sortKey: spec.sortKey && attribute(spec.sortKey),
      billing: Billing.onDemand(),
      encryption: encryptionKey
        ? TableEncryptionV2.customerManagedKey(encryptionKey)
        : TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: spec.ttlAttribute,
      deletionProtection: environment.stage === 'prod',
      removalPolicy: environment.removalPolicy,
      globalSecondaryIndexes: spec.globalIndexes?.map((index) => ({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey && attribute(index.sortKey),
      })),
    });
  }

  /**
   * Grants exactly `actions` on the table and, by name, on each of its declared indexes: no
   * `index/*` wildcard, which `grant()` would add. With a key of the table's own, also its use:
   * decrypt only, unless an action writes.
   */
  grantExactly(grantee: IGrantable, actions: string[]): void {
    const arn = this.table.tableArn;
    const principal = grantee.grantPrincipal;
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions,
        resources: [arn, ...this.#indexNames.map((name) => `${arn}/index/${name}`)],
      }),
    );
    if (!this.#ownKey) return;
    const writes = actions.some((action) => !readCalls.has(action));
    const keyUse = writes ? keyActions.readWrite : keyActions.read;
    principal.addToPrincipalPolicy(
      new PolicyStatement({ actions: keyUse, resources: [this.#ownKey.keyArn] }),
    );
  }
}
