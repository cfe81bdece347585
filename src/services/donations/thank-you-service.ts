import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { snsMaker } from '../../platform/aws/makers/sns.js';
import { publishDeadlineMs } from '../../platform/config.js';
import { keyedDigest } from '../../platform/log.js';
import type { ServiceContext, ServiceModule } from '../../platform/service.js';
import { dynamoLedgerStore } from './ledger-store.js';
import { donationsResources } from './resources.js';
import { thankYouSender } from './thank-you.js';

export const thankYouSweepTask = 'thank-you-sweep';

/** The thank-you sender over the ledger: the API sends at the threshold, the sweep sends what failed. */
export function thankYouOf({
  aws,
  resources,
  notifier,
  clock,
  config,
  log,
}: ServiceContext<typeof donationsResources>) {
  const ledger = dynamoLedgerStore(aws.documents, resources.tables.ledger.name);
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
  return { ledger, digest, thankYou };
}

/** The sweep of thank-yous whose publish failed: on AWS a scheduled Lambda function of its own. */
export const donationsSweep: ServiceModule<typeof donationsResources> = {
  name: 'donations',
  resources: donationsResources,
  clients: { dynamodb: dynamodbMaker, sns: snsMaker },
  create: (context) => ({
    tasks: [
      {
        name: thankYouSweepTask,
        intervalMs: context.config.thankYouSweepIntervalMs,
        run: thankYouOf(context).thankYou.sweep,
      },
    ],
  }),
};
