import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ImageType } from './domain.js';

/** The avatars port: private objects in S3, read back by streaming or by a short-lived URL. */
export interface AvatarStore {
  put(key: string, bytes: Buffer, type: ImageType): Promise<void>;
  open(key: string): Promise<{ body: Readable; contentType: string; length?: number } | undefined>;
  /** A URL that lets a browser fetch the private object for `expiresInSeconds`. */
  signedUrl(key: string, expiresInSeconds: number): Promise<string>;
  delete(key: string): Promise<void>;
}

export function s3AvatarStore(s3: S3Client, bucket: string): AvatarStore {
  return {
    async put(key, bytes, type) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: type,
          // Served inline as an image, never sniffed as something else.
          ContentDisposition: 'inline',
          CacheControl: 'private, max-age=86400, immutable',
        }),
      );
    },
    async open(key) {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return {
          body: object.Body as Readable,
          contentType: object.ContentType ?? 'application/octet-stream',
          ...(object.ContentLength !== undefined && { length: object.ContentLength }),
        };
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    signedUrl: (key, expiresIn) =>
      getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn }),
    async delete(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
