import { ConfigError } from './config.js';

/** A start that cannot go on: say why in one plain message, then exit non-zero. */
export function startupFailed(error: unknown): never {
  const message = error instanceof ConfigError ? error.message : `skiff could not start: ${String(error)}`;
  process.stderr.write(`${message}\n`);
  if (!(error instanceof ConfigError) && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
}
