import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyLeaseMs } from '../services/donations/idempotency-store.js';
import { claimLeaseMs } from '../services/orders/pipeline-service.js';
import { orphanAfterMs } from '../services/users/user-store.js';
import { worstCaseCallMs } from './aws/clients.js';
import { ConfigError, configVariables, loadConfig, publishDeadlineMs, shortestLeaseMs } from './config.js';
import { EnvironmentSchema } from './config-schema.js';
import { checkedKeywords } from './config-values.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      stage: 'local',
      services: 'all',
      dataDir: '.skiff',
      bodyLimitBytes: 1_048_576,
      shutdownTimeoutMs: 10_000,
      region: 'eu-west-1',
      endpoints: { dynamodb: undefined, s3: undefined, sns: undefined, sqs: undefined },
      snsTopicArns: [],
      thankYouThreshold: 2,
      thankYouSweepIntervalMs: 60_000,
      idempotencyWaitMs: 10_000,
      maxAvatarBytes: 5_242_880,
      publicUrl: undefined,
      trustProxy: false,
      awsTimeouts: { connectMs: 2000, requestMs: 5000 },
      awsMaxSockets: 128,
      thankYouLeaseMs: 30000,
      logDigestKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      records: {
        maxCsvBytes: 52_428_800,
        localTenants: [{ id: 'demo', timeZone: 'Europe/London', key: 'demo-key' }],
      },
      orders: {
        pipelineIntervalMs: 0,
        pipelineWaitMs: 1000,
        maxAttempts: 10,
        runsKept: 100,
        stateMachineArn: undefined,
        auction: { seed: undefined, readyProbability: 0.5, acceptProbability: 0.7 },
      },
      localPorts: { dynamodb: 4567, s3: 4568 },
    });
  });

  it('reads services and endpoints, the specific endpoint winning', () => {
    const config = loadConfig({
      SERVICES: 'greetings, users',
      AWS_ENDPOINT_URL: 'http://localhost:4566',
      AWS_ENDPOINT_URL_S3: 'http://localhost:9000',
      AWS_ENDPOINT_URL_SQS: 'http://localhost:9324',
    });
    expect(config.services).toEqual(['greetings', 'users']);
    expect(config.endpoints).toEqual({
      dynamodb: 'http://localhost:4566',
      s3: 'http://localhost:9000',
      sns: 'http://localhost:4566',
      sqs: 'http://localhost:9324',
    });
  });

  it('names every bad value in one clear error', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', SKIFF_STAGE: 'Prod!', AWS_ENDPOINT_URL: 'localhost' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { problems } = error as ConfigError;
      expect(problems).toHaveLength(4);
      expect(problems.join('\n')).toMatch(/PORT.*"eighty"/);
      expect(problems.join('\n')).toMatch(/LOG_LEVEL/);
      expect(problems.join('\n')).toMatch(/SKIFF_STAGE.*"Prod!"/);
      expect(problems.join('\n')).toMatch(/AWS_ENDPOINT_URL.*"localhost"/);
    }
  });

  it('reads topic ARNs and refuses anything else', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:skiff-dev-donations-thank-you';
    expect(loadConfig({ SKIFF_SNS_TOPIC_ARNS: ` ${arn} ,` }).snsTopicArns).toEqual([arn]);
    expect(() => loadConfig({ SKIFF_SNS_TOPIC_ARNS: 'arn:aws:sqs:eu-west-1:123456789012:q' })).toThrow(
      /not an SNS topic ARN/,
    );
  });

  it('reads local tenants and refuses malformed ones', () => {
    expect(
      loadConfig({ SKIFF_LOCAL_TENANTS: 'acme:Europe/London:acme-key,globex:America/New_York:globex-key' })
        .records.localTenants,
    ).toEqual([
      { id: 'acme', timeZone: 'Europe/London', key: 'acme-key' },
      { id: 'globex', timeZone: 'America/New_York', key: 'globex-key' },
    ]);
    expect(loadConfig({ SKIFF_LOCAL_TENANTS: 'none' }).records.localTenants).toEqual([]);
    // The shape is checked with the rest; the zone where it is read (local mode's start), so Lambda
    // never loads time-zone data for it.
    expect(() => loadConfig({ SKIFF_LOCAL_TENANTS: 'Acme:UTC:short' })).toThrow(/SKIFF_LOCAL_TENANTS/);
    expect(() => loadConfig({ SKIFF_LOCAL_TENANTS: 'acme:Mars/Base:acme-key' }).records.localTenants).toThrow(
      /SKIFF_LOCAL_TENANTS/,
    );
  });

  it('refuses out-of-range numbers', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be a whole number from 0 to 65535/);
    expect(() => loadConfig({ SKIFF_BODY_LIMIT_BYTES: '-1' })).toThrow(/SKIFF_BODY_LIMIT_BYTES/);
    expect(() => loadConfig({ SKIFF_AUCTION_READY_PROBABILITY: '1.5' })).toThrow(/from 0 to 1, got "1.5"/);
  });
});

describe('strict values', () => {
  it.each(['1e3', '0x10', '3000.0', ' 8 0'])('refuses PORT=%s: whole numbers are digits only', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT must be a whole number from 0 to 65535/);
  });

  it.each([
    ['SKIFF_TRUST_PROXY', 'yes', /SKIFF_TRUST_PROXY must be true or false, got "yes"/],
    ['SKIFF_TRUST_PROXY', '1', /SKIFF_TRUST_PROXY must be true or false/],
    [
      'SKIFF_AUCTION_ACCEPT_PROBABILITY',
      'half',
      /SKIFF_AUCTION_ACCEPT_PROBABILITY must be a number from 0 to 1/,
    ],
    ['AWS_ENDPOINT_URL_S3', 'http://exa mple.org', /AWS_ENDPOINT_URL_S3 must be an http\(s\) URL/],
    ['AWS_ENDPOINT_URL_S3', 'ftp://example.org', /AWS_ENDPOINT_URL_S3 must be an http\(s\) URL/],
    ['LOG_LEVEL', 'INFO', /LOG_LEVEL must be one of fatal/],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('reads flags, fractions and levels as typed values', () => {
    const config = loadConfig({
      SKIFF_TRUST_PROXY: 'true',
      SKIFF_AUCTION_READY_PROBABILITY: '.25',
      SKIFF_AUCTION_ACCEPT_PROBABILITY: '1',
      LOG_LEVEL: 'debug',
    });
    expect(config.trustProxy).toBe(true);
    expect(config.orders.auction).toMatchObject({ readyProbability: 0.25, acceptProbability: 1 });
    expect(config.logLevel).toBe('debug');
  });

  it('declares no rule the reader does not check', () => {
    const documentation = ['description', 'examples'];
    for (const schema of Object.values(EnvironmentSchema.properties)) {
      const rules = Object.keys(schema).filter(
        (key) => !key.startsWith('x-') && !documentation.includes(key),
      );
      expect(checkedKeywords).toEqual(expect.arrayContaining(rules));
    }
  });

  it('takes a URL scheme in any case, as URLs do', () => {
    expect(loadConfig({ AWS_ENDPOINT_URL: 'HTTP://localhost:4566' }).endpoints.s3).toBe(
      'HTTP://localhost:4566',
    );
  });
});

describe('deadlines behind leases', () => {
  it('keeps one AWS call, all tries, inside the shortest lease any service holds', () => {
    const config = loadConfig({});
    expect(worstCaseCallMs(config.awsTimeouts)).toBeLessThan(shortestLeaseMs);
    for (const lease of [keyLeaseMs, orphanAfterMs, claimLeaseMs])
      expect(lease).toBeGreaterThanOrEqual(shortestLeaseMs);
    expect(() =>
      loadConfig({ SKIFF_AWS_REQUEST_TIMEOUT_MS: '20000', SKIFF_THANK_YOU_LEASE_MS: '90000' }),
    ).toThrow(/longer than the shortest lease/);
  });

  it('cuts a thank-you publish off early enough that the write after it fits in the lease', () => {
    const config = loadConfig({});
    const writeMs = worstCaseCallMs(config.awsTimeouts);
    expect(publishDeadlineMs(config)).toBeGreaterThanOrEqual(1000);
    expect(publishDeadlineMs(config) + writeMs).toBeLessThan(config.thankYouLeaseMs);
  });

  it('refuses a lease too short for the configured AWS timeouts, naming it', () => {
    expect(() => loadConfig({ SKIFF_THANK_YOU_LEASE_MS: '20000' })).toThrow(
      /SKIFF_THANK_YOU_LEASE_MS must leave/,
    );
  });
});

describe('README configuration table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const rows = new Map(
    readme
      .split('\n')
      .map((line) => line.split('|').map((cell) => cell.trim()))
      .filter((cells) => cells.length === 5 && /^`[A-Z_0-9]+`$/.test(cells[1] ?? ''))
      .map((cells) => [cells[1]?.slice(1, -1), cells[2]]),
  );
  it('lists exactly the variables the code reads', () => {
    expect([...rows.keys()].sort()).toEqual(configVariables.map((v) => v.name).sort());
  });
  it.each(configVariables.map((v) => [v.name, v.default]))('gives %s the default %s', (name, value) => {
    expect(rows.get(name)).toBe(`\`${value}\``);
  });
});
