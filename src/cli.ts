/**
 * `npx skiff …`: operator commands against the running local platform (`npm start`), or against AWS
 * with `--aws` (the SDK's credentials, `SKIFF_STAGE` names the resources).
 *
 *   skiff tenants add <id> --timezone <IANA zone>     creates a tenant and prints its new API key
 *   skiff tenants key <id>                            prints another API key for a tenant
 *   skiff records ingest --tenant <id> <files...>     uploads CSV files and waits for their statuses
 */
import { parseArgs } from 'node:util';
import { localCredentials } from './local/engines.js';
import { clientOptionsFrom, createAwsClients } from './platform/aws/clients.js';
import { loadConfig } from './platform/config.js';
import { resolveResources } from './platform/resources.js';
import { recordsCommands } from './services/records/cli-commands.js';
import { recordsResources } from './services/records/resources.js';

const usage = `usage:
  skiff tenants add <id> --timezone <IANA zone> [--aws]
  skiff tenants key <id> [--aws]
  skiff records ingest --tenant <id> <files...> [--aws]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      timezone: { type: 'string' },
      tenant: { type: 'string' },
      aws: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  const [group, command, ...rest] = positionals;
  if (values.help || !group) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfig();
  const local = !values.aws;
  const endpoints = local
    ? {
        dynamodb: config.endpoints.dynamodb ?? `http://127.0.0.1:${config.localPorts.dynamodb}`,
        s3: config.endpoints.s3 ?? `http://127.0.0.1:${config.localPorts.s3}`,
      }
    : config.endpoints;
  const aws = createAwsClients(
    clientOptionsFrom(config, endpoints, local ? { credentials: localCredentials } : {}),
  );
  const commands = recordsCommands(
    aws,
    resolveResources(config.stage, 'records', recordsResources),
    process.stderr,
  );
  try {
    if (group === 'tenants' && command === 'add' && rest[0] && values.timezone) {
      process.stdout.write(`${await commands.addTenant(rest[0], values.timezone)}\n`);
      return 0;
    }
    if (group === 'tenants' && command === 'key' && rest[0]) {
      process.stdout.write(`${await commands.addKey(rest[0])}\n`);
      return 0;
    }
    if (group === 'records' && command === 'ingest' && values.tenant && rest.length > 0) {
      return (await commands.ingest(values.tenant, rest)) ? 0 : 1;
    }
    process.stderr.write(`${usage}\n`);
    return 2;
  } catch (error) {
    const unreachable = local && /ECONNREFUSED/.test(String((error as Error).cause ?? error));
    process.stderr.write(
      unreachable
        ? 'skiff is not running here: start it with `npm start`, or pass --aws.\n'
        : `skiff: ${(error as Error).message}\n`,
    );
    return 1;
  } finally {
    aws.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
