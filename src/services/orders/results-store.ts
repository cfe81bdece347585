import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DecidedOrder, resultKey } from './domain.js';

/** Where accepted auction results go: one JSON object per decided order. */
export interface ResultsStore {
  /** Stores the result at the key its decision gives, overwriting an earlier delivery; answers the key. */
  putAccepted(order: DecidedOrder, storedAt: Date): Promise<string>;
}

export function s3ResultsStore(s3: S3Client, bucket: string): ResultsStore {
  return {
    async putAccepted(order, storedAt) {
      const key = resultKey(order);
      const result = {
        record_id: order.record_id,
        status: order.status,
        power: order.power,
        parameter_1: order.parameter_1,
        parameter_2: order.parameter_2,
        decidedAt: order.decidedAt,
        decidedBy: order.decidedBy,
        storedAt: storedAt.toISOString(),
      };
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
