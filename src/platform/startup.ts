import { ConfigError } from './config.js';

/** A start that cannot go on: say why in one plain message, then exit non-zero. */
export function startupFailed(error: unknown): never {
  const message = error instanceof ConfigError ? error.message : `skiff could not start: ${String(error)}`;
  process.stderr.write(`${message}\n`);
  // A refused configuration or a port that cannot be taken is said in full by its message.
  const plain = error instanceof ConfigError || (error as NodeJS.ErrnoException)?.syscall === 'listen';
  if (!plain && error instanceof Error && error.stack) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
}
