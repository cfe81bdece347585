import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { resultKey } from './domain.js';

/** Where accepted auction results go: one JSON object per run date and order. */
export interface ResultsStore {
  putAccepted(runDate: string, result: { record_id: string } & Record<string, unknown>): Promise<string>;
}

export function s3ResultsStore(s3: S3Client, bucket: string): ResultsStore {
  return {
    async putAccepted(runDate, result) {
      const key = resultKey(runDate, result.record_id);
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(result),
          ContentType: 'application/json',
        }),
      );
      return key;
    },
  };
}
