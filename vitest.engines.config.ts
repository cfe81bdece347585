import { defineConfig } from 'vitest/config';

/**
 * `npm run test:engines`: the integration suites again, with DynamoDB on AWS's own DynamoDB Local
 * (Java) instead of dynalite, one per test platform (src/local/test-platform.ts). S3 stays the
 * embedded one. Outside `npm test`, which needs no Java; `.ci/run` calls it. The moto suites
 * (S3, SQS and SNS on an independent engine) run after it when moto_server is installed.
 */
export default defineConfig({
  test: {
    include: [
      'src/local/dynamodb-local.engines-test.ts',
      'src/services/greetings/http.test.ts',
      'src/services/donations/http.test.ts',
      'src/services/donations/thank-you.test.ts',
      'src/services/donations/crash-resume.test.ts',
      'src/services/users/http.test.ts',
      'src/services/orders/http.test.ts',
      'src/services/orders/pipeline.test.ts',
      'src/services/orders/pipeline-faults.test.ts',
      'src/services/records/ingestion.test.ts',
      'src/services/records/ingestion-races.test.ts',
      'src/services/records/crash-resume.test.ts',
      'src/services/records/query.test.ts',
      'src/platform/http/longest-ids.test.ts',
      'src/platform/http/hostile-requests.test.ts',
    ],
    env: { SKIFF_TEST_DYNAMODB: 'dynamodb-local' },
    globalSetup: ['vitest.global-setup.ts', 'vitest.engines.setup.ts'],
    // One JVM per test platform: one file at a time keeps two cores and memory in hand.
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
