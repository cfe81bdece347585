import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { snsMaker } from '../../platform/aws/makers/sns.js';
import type { ServiceModule } from '../../platform/service.js';
import { donationsRoutes } from './http.js';
import { dynamoIdempotencyStore } from './idempotency-store.js';
import { donationRecorder } from './record-donation.js';
import { donationsResources } from './resources.js';
import { thankYouOf } from './thank-you-service.js';

/** Donations' HTTP API: it records donations and sends the thank-you at the threshold. */
export const donationsApi: ServiceModule<typeof donationsResources> = {
  name: 'donations',
  resources: donationsResources,
  clients: { dynamodb: dynamodbMaker, sns: snsMaker },
  create: (context) => {
    const { aws, resources, clock, config } = context;
    const { ledger, digest, thankYou } = thankYouOf(context);
    const threshold = config.thankYouThreshold;
    const recorder = donationRecorder({
      ledger,
      keys: dynamoIdempotencyStore(aws.documents, resources.tables.ledger.name),
      thankYou,
      threshold,
      clock,
      waitForFirstMs: config.idempotencyWaitMs,
    });
    return { routes: donationsRoutes({ recorder, ledger, threshold, digest }) };
  },
};
