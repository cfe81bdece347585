import type { Config } from '../platform/config.js';
import type { DynamoEngineOptions } from './dynamo-engine.js';

/** Where the embedded engines listen, and the folder for their data, kept across restarts. */
export interface EngineOptions extends DynamoEngineOptions {
  s3Port: number;
}

/** Where the embedded engines listen, whichever of them the configuration embeds. */
export function engineOptionsOf(config: Config): EngineOptions {
  return {
    host: '127.0.0.1',
    dataDir: config.dataDir,
    dynamodbPort: config.localPorts.dynamodb,
    s3Port: config.localPorts.s3,
  };
}

/**
 * The embedded engines' options when the configuration runs both of them embedded (no
 * AWS_ENDPOINT_URL* names DynamoDB or S3), else undefined. Light on imports, so `npm start` can
 * read it before it loads the platform (src/main.ts).
 */
export function localEngineOptions(config: Config): EngineOptions | undefined {
  const { dynamodb, s3 } = config.endpoints;
  return dynamodb === undefined && s3 === undefined ? engineOptionsOf(config) : undefined;
}
