import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../platform/config.js';
import { backgroundTasksOf } from '../platform/http/app.js';
import { loggerOptions } from '../platform/log.js';
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

/** The real local platform on ephemeral ports and a throwaway data folder, logs captured in memory. */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'skiff-test-')));
  const config = loadConfig({
    SKIFF_DATA_DIR: dataDir,
    SKIFF_LOCAL_DYNAMODB_PORT: '0',
    SKIFF_LOCAL_S3_PORT: '0',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const logger = pino(loggerOptions(config.logLevel), sink);
  const platform = await startLocalPlatform(config, logger, options);
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
        if (!keepData) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
