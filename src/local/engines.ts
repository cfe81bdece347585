import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

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

async function startDynamo(host: string, port: number, path: string) {
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e?: Error) => (e ? reject(e) : resolve()))),
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

/** Starts dynalite (DynamoDB API) and s3rver (S3 API) in this process. */
export async function startEmbeddedEngines(options: EngineOptions): Promise<EmbeddedEngines> {
  const dynamoDir = join(options.dataDir, 'dynamodb');
  const s3Dir = join(options.dataDir, 's3');
  await Promise.all([mkdir(dynamoDir, { recursive: true }), mkdir(s3Dir, { recursive: true })]);
  const dynamo = await startDynamo(options.host, options.dynamodbPort, dynamoDir);
  const s3 = await startS3(options.host, options.s3Port, s3Dir).catch(async (error: unknown) => {
    await dynamo.close();
    throw error;
  });
  return {
    endpoints: { dynamodb: dynamo.url, s3: s3.url },
    onObjectCreated: s3.onObjectCreated,
    close: async () => {
      await Promise.all([dynamo.close(), s3.close()]);
    },
  };
}
