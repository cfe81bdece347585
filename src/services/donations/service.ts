import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { snsMaker } from '../../platform/aws/makers/sns.js';
import { publishDeadlineMs } from '../../platform/config.js';
import { keyedDigest } from '../../platform/log.js';
import type { ServiceModule } from '../../platform/service.js';
import { donationsRoutes } from './http.js';
import { dynamoIdempotencyStore } from './idempotency-store.js';
import { dynamoLedgerStore } from './ledger-store.js';
import { donationRecorder } from './record-donation.js';
import { donationsResources } from './resources.js';
import { thankYouSender } from './thank-you.js';

export const thankYouSweepTask = 'thank-you-sweep';

export const donationsService: ServiceModule<typeof donationsResources> = {
  name: 'donations',
  resources: donationsResources,
  clients: { dynamodb: dynamodbMaker, sns: snsMaker },
  create: ({ aws, resources, notifier, clock, config, log }) => {
    const table = resources.tables.ledger.name;
    const ledger = dynamoLedgerStore(aws.documents, table);
    const threshold = config.thankYouThreshold;
    const digest = keyedDigest(config.logDigestKey);
    const thankYou = thankYouSender({
      ledger,
      notifier,
      topic: resources.topics['thank-you'].name,
      clock,
      log,
      leaseMs: config.thankYouLeaseMs,
      publishDeadlineMs: publishDeadlineMs(config),
      digest,
    });
    const recorder = donationRecorder({
      ledger,
      keys: dynamoIdempotencyStore(aws.documents, table),
      thankYou,
      threshold,
      clock,
      waitForFirstMs: config.idempotencyWaitMs,
    });
    return {
      routes: donationsRoutes({ recorder, ledger, threshold, digest }),
      tasks: [{ name: thankYouSweepTask, intervalMs: config.thankYouSweepIntervalMs, run: thankYou.sweep }],
    };
  },
};
