/**
 * The resource catalog: what a service needs from AWS, declared once.
 * `local/` creates these on the embedded engines and `infra/` builds the CDK resources from them,
 * so neither invents a table name, key or bucket of its own.
 */

export type KeyType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

export interface GlobalIndexSpec {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}

export interface TableSpec {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Epoch-seconds attribute AWS expires items by; readers must still filter (dynalite never expires). */
  ttlAttribute?: string;
  globalIndexes?: GlobalIndexSpec[];
}

export interface BucketSpec {
  /**
   * Object-created events are delivered only for keys under this prefix (S3 → SQS on AWS and against
   * LocalStack); unset means every key. The embedded S3 delivers every key: handlers still check.
   */
  eventPrefix?: string;
  /**
   * The prefix the service lists under, if it may list only there (its role's ListBucket carries an
   * `s3:prefix` condition): the readiness check lists there instead of HeadBucket, which needs more.
   */
  listPrefix?: string;
}

/** An SNS topic; published through the Notifier port (the local inbox under `npm start`). */
export type TopicSpec = Record<string, never>;

export interface ServiceResources {
  tables: Record<string, TableSpec>;
  buckets: Record<string, BucketSpec>;
  topics: Record<string, TopicSpec>;
}

/** Physical names are derived, never configured one by one, so every runtime agrees on them. */
export function physicalName(stage: string, service: string, resource: string): string {
  return `skiff-${stage}-${service}-${resource}`;
}

export interface ResolvedResources<R extends ServiceResources = ServiceResources> {
  tables: { [K in keyof R['tables']]: { name: string; spec: TableSpec } };
  buckets: { [K in keyof R['buckets']]: { name: string; spec: BucketSpec } };
  topics: { [K in keyof R['topics']]: { name: string; spec: TopicSpec } };
}

export function resolveResources<R extends ServiceResources>(
  stage: string,
  service: string,
  resources: R,
): ResolvedResources<R> {
  const resolve = <T>(entries: Record<string, T>) =>
    Object.fromEntries(
      Object.entries(entries).map(([id, spec]) => [id, { name: physicalName(stage, service, id), spec }]),
    );
  return {
    tables: resolve(resources.tables),
    buckets: resolve(resources.buckets),
    topics: resolve(resources.topics),
  } as ResolvedResources<R>;
}
