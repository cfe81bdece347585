import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../platform/config.js';
import { backgroundTasksOf } from '../platform/http/app.js';
import { loggerOptions } from '../platform/log.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { localCredentials } from './engines.js';
import { type LocalPlatform, type LocalPlatformOptions, startLocalPlatform } from './platform.js';

export interface TestPlatform extends LocalPlatform {
  /** Every log line written so far, parsed. */
  logs(): Record<string, unknown>[];
  /** The raw log text, for "never logged" assertions. */
  rawLogs(): string;
  dataDir: string;
  /** Runs one service's background task now and waits for it. */
  runTask(service: string, name: string): Promise<void>;
  /** Closes the platform and deletes its data, unless `keepData`; once, however often it is called. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface TestPlatformOptions extends LocalPlatformOptions {
  env?: Record<string, string>;
  /** Reuse the data of an earlier platform (to test restarts). */
  dataDir?: string;
}

/** The test platform's configuration: ephemeral ports, its own data, DynamoDB Local when it runs one. */
function configFor(dataDir: string, dynamoDbLocal: string | undefined, env: Record<string, string> = {}) {
  return loadConfig({
    SKIFF_DATA_DIR: dataDir,
    SKIFF_LOCAL_DYNAMODB_PORT: '0',
    SKIFF_LOCAL_S3_PORT: '0',
    LOG_LEVEL: 'info',
    ...(dynamoDbLocal && { AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocal }),
    ...env,
  });
}

/** The real local platform on ephemeral ports and a throwaway data folder, logs captured in memory. */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'skiff-test-')));
  // `npm run test:engines`: the same suites on AWS's DynamoDB Local, one per platform, kept in its
  // data folder so a restarted platform finds its tables.
  const ownsEngine = process.env.SKIFF_TEST_DYNAMODB === 'dynamodb-local' && !options.env?.AWS_ENDPOINT_URL;
  const dynamoDbLocal = ownsEngine ? await startDynamoDbLocal(join(dataDir, 'dynamodb-local')) : undefined;
  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const started = (async () => {
    const config = configFor(dataDir, dynamoDbLocal?.url, options.env);
    return startLocalPlatform(config, pino(loggerOptions(config.logLevel), sink), options);
  })();
  const platform = await started.catch(async (error: unknown) => {
    await dynamoDbLocal?.close();
    throw error;
  });
  let stopping: Promise<void> | undefined;
  return {
    ...platform,
    dataDir,
    runTask: async (service, name) => {
      const found = backgroundTasksOf(platform.app).find(
        (t) => t.service === service && t.task.name === name,
      );
      if (!found) throw new Error(`no task ${service}/${name}`);
      await found.task.run();
    },
    rawLogs: () => text,
    logs: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: ({ keepData = false } = {}) => {
      stopping ??= (async () => {
        await platform.close();
        await dynamoDbLocal?.close();
        if (!keepData) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/**
 * The environment a Lambda entry would have on AWS, pointed at a test platform's engines. The SDK
 * reads credentials from the process environment, so they are set there until `restore` is called.
 */
export function lambdaEnvironment(platform: TestPlatform): { env: Record<string, string>; restore(): void } {
  process.env.AWS_ACCESS_KEY_ID = localCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = localCredentials.secretAccessKey;
  return {
    env: {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_DYNAMODB: platform.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: platform.endpoints.s3,
      SKIFF_STAGE: 'local',
      LOG_LEVEL: 'silent',
    },
    restore() {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    },
  };
}
