import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface AwsEndpoints {
  dynamodb?: string;
  s3?: string;
  sns?: string;
  sqs?: string;
}

export interface AwsClientOptions {
  region: string;
  /** Unset entries mean the real AWS endpoint. */
  endpoints: AwsEndpoints;
  /** Static credentials for local engines, which accept any; unset means the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Per try: connect, and socket idle (`SKIFF_AWS_CONNECT_TIMEOUT_MS`, `SKIFF_AWS_REQUEST_TIMEOUT_MS`). */
  timeouts: AwsTimeouts;
}

export interface AwsTimeouts {
  connectMs: number;
  requestMs: number;
}

/** Tries per call (the SDK's standard retry mode). */
export const sdkMaxAttempts = 3;
/** Streams and SQS long polls (20 s) sit idle longer than a DynamoDB or SNS call may. */
const streamingIdleMs = 30_000;

/**
 * The longest one DynamoDB or SNS call can take, all tries included: what a lease must outlast.
 * The SDK's backoff between tries is at most a second or so at three tries.
 */
export function worstCaseCallMs({ connectMs, requestMs }: AwsTimeouts): number {
  return sdkMaxAttempts * (connectMs + requestMs) + 2_000;
}

export interface AwsClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  sns: SNSClient;
  /** S3 event notifications under `npm start` against LocalStack or moto (Lambda's event source reads them on AWS). */
  sqs: SQSClient;
  sfn: SFNClient;
  destroy(): void;
}

/**
 * One place builds every SDK client. Clients are long-lived and shared: the SDK's per-call CPU cost is
 * high, and reusing them keeps TLS connections alive between calls.
 */
export function createAwsClients({ region, endpoints, credentials, timeouts }: AwsClientOptions): AwsClients {
  // The SDK has no request timeout by default: a hung call would hold a lease for ever.
  const requestHandler = { requestTimeout: timeouts.requestMs, connectionTimeout: timeouts.connectMs };
  const common = { region, credentials, maxAttempts: sdkMaxAttempts, requestHandler };
  const streaming = {
    ...common,
    requestHandler: { ...requestHandler, requestTimeout: Math.max(timeouts.requestMs, streamingIdleMs) },
  };
  const dynamodb = new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb });
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const s3 = new S3Client({
    ...streaming,
    endpoint: endpoints.s3,
    // Local S3 engines (s3rver, LocalStack) serve buckets by path, not by virtual host.
    forcePathStyle: endpoints.s3 !== undefined,
    // s3rver stores aws-chunked uploads with their framing unless checksums are only sent when required.
    ...(endpoints.s3 !== undefined && {
      requestChecksumCalculation: 'WHEN_REQUIRED' as const,
      responseChecksumValidation: 'WHEN_REQUIRED' as const,
    }),
  });
  // Only AWS or LocalStack answer SNS; locally the Notifier port uses the inbox instead.
  const sns = new SNSClient({ ...common, endpoint: endpoints.sns });
  const sqs = new SQSClient({ ...streaming, endpoint: endpoints.sqs });
  const sfn = new SFNClient(common);
  return {
    dynamodb,
    documents,
    s3,
    sns,
    sqs,
    sfn,
    destroy() {
      documents.destroy();
      dynamodb.destroy();
      s3.destroy();
      sns.destroy();
      sqs.destroy();
      sfn.destroy();
    },
  };
}
