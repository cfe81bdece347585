import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A skiff entry point as a real process, for tests of start-up, signals and restarts. */

/** Where the kernel's ephemeral ports begin: the ports outgoing connections and `listen(0)` take. */
function ephemeralPortsFrom(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
    return Number.isInteger(low) && low > 20_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const lowestPort = 20_000;

async function canListenOn(port: number): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (listening) await new Promise((resolve) => server.close(resolve));
  return listening;
}

/**
 * A port nothing listens on, for a process started next to bind. Picked below the ephemeral range:
 * a port `listen(0)` hands out is free only until the next outgoing connection on this machine takes
 * it as its source port, and with test files running in parallel one did, before the process bound
 * it (EADDRINUSE in a start-up test).
 */
export async function freePort(): Promise<number> {
  const span = ephemeralPortsFrom() - lowestPort;
  for (let tries = 0; tries < 100; tries += 1) {
    const port = lowestPort + Math.floor(Math.random() * span);
    if (await canListenOn(port)) return port;
  }
  throw new Error(`no free port found from ${lowestPort} to ${lowestPort + span - 1}`);
}

export interface Running {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `entry` (TypeScript, through tsx; or built JavaScript) and waits until it listens.
 * `detached` puts it at the head of a process group of its own, as a terminal's foreground job is.
 */
export async function startSkiff(
  entry: string,
  env: Record<string, string>,
  { detached = false }: { detached?: boolean } = {},
): Promise<Running> {
  const args = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Server listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`skiff did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { process: child, output: () => output, exited };
}
