import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import S3rver from 's3rver';
import { listenFailure } from '../platform/listen-failure.js';
import { type EmbeddedDynamo, startEmbeddedDynamo } from './dynamo-engine.js';
import type { EngineOptions } from './engine-options.js';
import { s3KeyGuard } from './s3-key-guard.js';

export type { EngineOptions } from './engine-options.js';

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
 * s3rver 3.7 listens with `server.listen(..., callback)` and waits for that callback, which Node calls
 * only on success: a taken port became an unhandled 'error' event that killed the process. This
 * listens the same way (s3rver's own `listen`, given a callback, hands back the server) and rejects
 * on the server's 'error' instead.
 */
class ListeningS3rver extends S3rver {
  override listen(port: number, host: string, options: object): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = super.listen(port, host, options, () => {
        server.off('error', reject);
        resolve(server);
      }) as Server;
      server.once('error', reject);
    });
  }
}

/** Opens s3rver on `host:port`; a port it cannot take rejects, naming it and its setting. */
async function runS3(server: S3rver, host: string, port: number): Promise<AddressInfo> {
  try {
    return (await server.run()) as AddressInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall !== 'listen') throw error;
    throw listenFailure('the embedded S3', `${host}:${port}`, 'SKIFF_LOCAL_S3_PORT', error);
  }
}

async function startS3(host: string, port: number, directory: string) {
  const server = new ListeningS3rver({
    address: host,
    port,
    directory,
    silent: true,
    allowMismatchedSignatures: true,
  });
  // First of its middleware: a key s3rver cannot store must be refused before s3rver tries.
  (server as unknown as { middleware: unknown[] }).middleware.unshift(s3KeyGuard());
  const address = await runS3(server, host, port);
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

/**
 * Starts dynalite (DynamoDB API, in a child process) and s3rver (S3 API, in this process); or adopts
 * a dynalite started earlier with the same options (`npm start` forks it before it loads the rest).
 */
export async function startEmbeddedEngines(
  options: EngineOptions,
  started?: Promise<EmbeddedDynamo>,
): Promise<EmbeddedEngines> {
  const dynamo = await (started ?? startEmbeddedDynamo(options));
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
