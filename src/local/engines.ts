import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';
import { s3KeyGuard } from './s3-key-guard.js';

export interface EngineOptions {
  host: string;
  dynamodbPort: number;
  s3Port: number;
  /** Folder for the engines' data, kept across restarts. */
  dataDir: string;
}

/** An object created in the embedded S3, normalised: a plain bucket name and a decoded key. */
export interface ObjectCreated {
  bucket: string;
  key: string;
  eTag?: string;
}

export interface EmbeddedEngines {
  endpoints: { dynamodb: string; s3: string };
  /** The processes the engines run in besides this one (the embedded DynamoDB's). */
  childPids: number[];
  /** S3 `ObjectCreated` events, as S3 event notifications deliver them on AWS. */
  onObjectCreated(listener: (event: ObjectCreated) => void): void;
  close(): Promise<void>;
}

interface S3rverEvent {
  Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string; eTag?: string } } }[];
}

/**
 * Credentials for local engines, so the SDK never looks for real ones. dynalite and LocalStack accept
 * any; s3rver insists on its own access key id even when it ignores signatures.
 */
export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * dynalite in a child process (see dynalite-process.mjs): a core of its own for the engine, and
 * its memory counted apart from the services'. `pid` lets benchmarks read the child's memory.
 */
async function startDynamo(host: string, port: number, path: string) {
  const child = fork(
    fileURLToPath(new URL('./dynalite-process.mjs', import.meta.url)),
    [host, String(port), path],
    {
      // A heap cap makes V8 collect before it grows: without it the engine's RSS rose by ~400 MiB over 1M rows.
      execArgv: ['--max-old-space-size=256'],
      // LevelDB's calls queue on libuv's pool: one thread leaves the other core to the server (measured
      // with the benchmark on 2 cores: about a quarter more rows a second than the default four).
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the
      // engine must outlive the requests the platform is finishing; the platform closes it last
      // (`close` below), and it closes itself when the platform goes away (dynalite-process.mjs).
      detached: true,
    },
  );
  const exited = once(child, 'exit');
  const [ready] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(`the embedded DynamoDB stopped at start (exit code ${code})`);
    }),
  ])) as [{ port?: number; error?: string }];
  if (ready.error !== undefined || ready.port === undefined) {
    child.kill();
    throw new Error(`the embedded DynamoDB could not listen on ${host}:${port}: ${ready.error}`);
  }
  return {
    url: `http://${host}:${ready.port}`,
    pid: child.pid as number,
    close: async () => {
      if (child.exitCode !== null) return;
      child.send('close');
      await exited;
    },
  };
}

async function startS3(host: string, port: number, directory: string) {
  const server = new S3rver({
    address: host,
    port,
    directory,
    silent: true,
    allowMismatchedSignatures: true,
  });
  // First of its middleware: a key s3rver cannot store must be refused before s3rver tries.
  (server as unknown as { middleware: unknown[] }).middleware.unshift(s3KeyGuard());
  const address = (await server.run()) as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () => server.close(),
    onObjectCreated: (listener: (event: ObjectCreated) => void) =>
      server.on('event', (event: S3rverEvent) => {
        for (const record of event.Records) {
          // s3rver already hands out the raw key, where AWS URL-encodes it; both arrive here decoded.
          if (record.eventName.startsWith('ObjectCreated:'))
            listener({
              bucket: record.s3.bucket.name,
              key: record.s3.object.key,
              eTag: record.s3.object.eTag,
            });
        }
      }),
  };
}

export interface EmbeddedS3 {
  url: string;
  onObjectCreated(listener: (event: ObjectCreated) => void): void;
  close(): Promise<void>;
}

/** s3rver alone (S3 API, in this process), beside a DynamoDB elsewhere (DynamoDB Local, LocalStack). */
export async function startEmbeddedS3(options: Omit<EngineOptions, 'dynamodbPort'>): Promise<EmbeddedS3> {
  const s3Dir = join(options.dataDir, 's3');
  await mkdir(s3Dir, { recursive: true });
  return startS3(options.host, options.s3Port, s3Dir);
}

/** Starts dynalite (DynamoDB API, in a child process) and s3rver (S3 API, in this process). */
export async function startEmbeddedEngines(options: EngineOptions): Promise<EmbeddedEngines> {
  const dynamoDir = join(options.dataDir, 'dynamodb');
  await mkdir(dynamoDir, { recursive: true });
  const dynamo = await startDynamo(options.host, options.dynamodbPort, dynamoDir);
  const s3 = await startEmbeddedS3(options).catch(async (error: unknown) => {
    await dynamo.close();
    throw error;
  });
  return {
    endpoints: { dynamodb: dynamo.url, s3: s3.url },
    childPids: [dynamo.pid],
    onObjectCreated: s3.onObjectCreated,
    close: async () => {
      await Promise.all([dynamo.close(), s3.close()]);
    },
  };
}
