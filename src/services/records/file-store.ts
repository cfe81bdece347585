import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** The files port: uploaded CSV files and rejects reports in S3, streamed both ways. */
export interface FileStore {
  /** Streams `body` to `key`, in parts when large. */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  putText(key: string, text: string, contentType: string): Promise<void>;
  open(key: string): Promise<Readable>;
  size(key: string): Promise<number | undefined>;
  /** SHA-256 of the object's bytes, read as a stream. */
  hash(key: string): Promise<string>;
  delete(key: string): Promise<void>;
}

export function s3FileStore(s3: S3Client, bucket: string): FileStore {
  const open = async (key: string) =>
    (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable;
  return {
    async put(key, body, contentType) {
      await new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
      }).done();
    },
    async putText(key, text, contentType) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: contentType }));
    },
    open,
    async size(key) {
      try {
        return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength;
      } catch (error) {
        if ((error as Error).name === 'NotFound') return undefined;
        throw error;
      }
    },
    async hash(key) {
      const digest = createHash('sha256');
      for await (const chunk of await open(key)) digest.update(chunk as Buffer);
      return digest.digest('hex');
    },
    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
