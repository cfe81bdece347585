import { AttributeType, Billing, type ITableV2, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { KeyAttribute, TableSpec } from '../../src/platform/resources.js';
import type { Environment } from '../environments.js';

const attributeTypes = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY };
const attribute = (key: KeyAttribute) => ({ name: key.name, type: attributeTypes[key.type] });

export interface CatalogTableProps {
  tableName: string;
  spec: TableSpec;
  environment: Environment;
  /** A customer-managed key, for personal data; AWS-managed otherwise. */
  encryptionKey?: IKey;
}

/** A DynamoDB table built from its catalog entry: on demand, encrypted, point-in-time recovery. */
export class CatalogTable extends Construct {
  readonly table: ITableV2;
  readonly #indexNames: string[];

  constructor(
    scope: Construct,
    id: string,
    { tableName, spec, environment, encryptionKey }: CatalogTableProps,
  ) {
    super(scope, id);
    this.#indexNames = spec.globalIndexes?.map((index) => index.name) ?? [];
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
   * `index/*` wildcard, which `grant()` would add.
   */
  grantExactly(grantee: IGrantable, actions: string[]): void {
    const arn = this.table.tableArn;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions,
        resources: [arn, ...this.#indexNames.map((name) => `${arn}/index/${name}`)],
      }),
    );
  }
}
