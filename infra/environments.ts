import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** What differs between dev, stage and prod; everything else is the same code and template. */
export interface Environment {
  stage: 'dev' | 'stage' | 'prod';
  /** Tables and log groups: destroyed with the stack in dev, kept in stage and prod. */
  removalPolicy: RemovalPolicy;
  logRetention: RetentionDays;
  /** Steady requests per second and burst the HTTP API admits before answering 429. */
  throttle: { rateLimit: number; burstLimit: number };
  /**
   * How a new Lambda version takes traffic (CodeDeploy): a canary share for some minutes, watched by
   * the function's alarms, then all; none shifts all at once (dev, where speed beats caution).
   */
  canary?: { percent: number; minutes: number };
}

export const environments: Record<Environment['stage'], Environment> = {
  dev: {
    stage: 'dev',
    removalPolicy: RemovalPolicy.DESTROY,
    logRetention: RetentionDays.ONE_WEEK,
    throttle: { rateLimit: 50, burstLimit: 100 },
  },
  stage: {
    stage: 'stage',
    removalPolicy: RemovalPolicy.RETAIN,
    logRetention: RetentionDays.ONE_MONTH,
    throttle: { rateLimit: 200, burstLimit: 400 },
    canary: { percent: 10, minutes: 5 },
  },
  prod: {
    stage: 'prod',
    removalPolicy: RemovalPolicy.RETAIN,
    logRetention: RetentionDays.ONE_YEAR,
    throttle: { rateLimit: 1000, burstLimit: 2000 },
    canary: { percent: 10, minutes: 10 },
  },
};

/**
 * The CDK bootstrap qualifier of a stage: each stage is bootstrapped on its own
 * (`cdk bootstrap --qualifier skiffdev`), so a stage's deploy role can assume only its own stage's
 * bootstrap roles, even with every stage in one account.
 */
export function qualifierFor(stage: Environment['stage']): string {
  return `skiff${stage}`;
}

export function environmentFor(stage: unknown): Environment {
  const name = stage ?? 'dev';
  if (typeof name !== 'string' || !(name in environments)) {
    throw new Error(`Unknown stage "${String(name)}": pass -c stage=dev|stage|prod`);
  }
  return environments[name as Environment['stage']];
}
