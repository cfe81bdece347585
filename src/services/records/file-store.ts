import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { AwsClients } from '../../platform/aws/client-set.js';

/** What S3 says of a stored object; `eTag` without the quotes S3 puts around it. */
export interface ObjectInfo {
  size: number;
  eTag: string;
  lastModified: Date;
}

/** The files port: uploaded CSV files and rejects reports in S3, streamed both ways. */
export interface FileStore {
  /** Streams `body` to `key`, in parts when large. */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  /** The object's bytes and the ETag of the version being read. */
  open(key: string): Promise<{ body: Readable; eTag: string }>;
  /** The object's size, ETag and time, or undefined when there is no such object. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** SHA-256 of the object's bytes, read as a stream. */
  hash(key: string): Promise<string>;
  delete(key: string): Promise<void>;
}

const unquoted = (eTag: string | undefined) => (eTag ?? '').replaceAll('"', '');

/**
 * The S3 client is asked of `aws` at each call, so it is built on the first file stored or read: the
 * records API's cold start, which most often serves a query, does not pay for it (P5 in
 * docs/performance.md).
 */
export function s3FileStore(aws: Pick<AwsClients, 's3'>, bucket: string): FileStore {
  const open = async (key: string) => {
    const object = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return { body: object.Body as Readable, eTag: unquoted(object.ETag) };
  };
  return {
    async put(key, body, contentType) {
      await new Upload({
        client: aws.s3,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
      }).done();
    },
    open,
    async head(key) {
      try {
        const object = await aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          size: object.ContentLength ?? 0,
          eTag: unquoted(object.ETag),
          lastModified: object.LastModified ?? new Date(0),
        };
      } catch (error) {
        // 404 needs s3:ListBucket on AWS; without it a missing object is a 403, which stays an error.
        if (['NotFound', 'NoSuchKey'].includes((error as Error).name)) return undefined;
        throw error;
      }
    },
    async hash(key) {
      const digest = createHash('sha256');
      // for await ends the stream on any error, so a failed read never leaves a socket open.
      for await (const chunk of (await open(key)).body) digest.update(chunk as Buffer);
      return digest.digest('hex');
    },
    async delete(key) {
      await aws.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
