import { HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { S3Maker } from '../client-set.js';

export const s3Maker: S3Maker = {
  client: ({ streaming, endpoints }) =>
    new S3Client({
      ...streaming,
      endpoint: endpoints.s3,
      // Local S3 engines (s3rver, LocalStack) serve buckets by path, not by virtual host.
      forcePathStyle: endpoints.s3 !== undefined,
      // s3rver stores aws-chunked uploads with their framing unless checksums are only sent when required.
      ...(endpoints.s3 !== undefined && {
        requestChecksumCalculation: 'WHEN_REQUIRED' as const,
        responseChecksumValidation: 'WHEN_REQUIRED' as const,
      }),
    }),
  probeBucket: async (client, bucket, listPrefix, abortSignal) => {
    const command =
      listPrefix === undefined
        ? new HeadBucketCommand({ Bucket: bucket })
        : new ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix, MaxKeys: 1 });
    await client.send(command as HeadBucketCommand, { abortSignal });
  },
};
