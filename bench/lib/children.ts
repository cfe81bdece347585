import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { basename, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A benchmark's server or load loop in its own Node process (run by tsx), so it gets a core of its
 * own as in production, and the driver's load generator does not share its event loop. The child
 * sends one IPC message when it is ready (`{ ready: true, ... }`); its stdout (request logs) goes to
 * /dev/null, as a log shipper would take it, at the same cost of writing it.
 */
export interface Child<T> {
  /** The script it runs, to name it in errors. */
  name: string;
  process: ChildProcess;
  ready: T;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; at once if it is already gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Whether a process's exit has been seen: one a signal killed has a signalCode and no exitCode. */
export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Sends SIGTERM, then SIGKILL if the process has not exited within `graceMs`, so a shutdown that
 * hangs (a close waiting on a connection) cannot hold a benchmark up; resolves on its exit. `send`
 * signals it (a process group's signal for `npm start`, whose node runs as npm's child).
 */
export async function terminate(
  child: ChildProcess,
  graceMs: number,
  send: (signal: NodeJS.Signals) => void = (signal) => child.kill(signal),
): Promise<void> {
  const exited = hasExited(child) ? undefined : once(child, 'exit');
  send('SIGTERM');
  if (!exited) return;
  const kill = setTimeout(() => send('SIGKILL'), graceMs);
  await exited.finally(() => clearTimeout(kill));
}

/** How long a server may take to start and say it is ready (tsx compiles the platform first). */
const readyDeadlineMs = 120_000;

/**
 * The child's next IPC message. It fails if the child exits first (a crash, an unhandled rejection)
 * or after `deadlineMs`, rather than leaving the benchmark, and CI with it, waiting for a message
 * that cannot come. Its listeners and its timer go when it settles.
 */
async function nextMessage<T>(
  child: ChildProcess,
  name: string,
  waitingFor: string,
  deadlineMs: number,
): Promise<T> {
  const settled = new AbortController();
  const { signal } = settled;
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    settled.abort();
  }, deadlineMs);
  try {
    const [message] = (await Promise.race([
      once(child, 'message', { signal }),
      once(child, 'exit', { signal }).then(([code, exitSignal]) => {
        throw new Error(`${name} exited (${exitSignal ?? code}) while waiting for ${waitingFor}`);
      }),
    ])) as [T];
    return message;
  } catch (error) {
    if (timedOut) throw new Error(`${name}: ${waitingFor} did not come within ${deadlineMs / 1000} s`);
    throw error;
  } finally {
    clearTimeout(deadline);
    settled.abort();
  }
}

/** `script`: a file in bench/servers/, or an absolute path. */
export async function startChild<T extends object>(
  script: string,
  env: Record<string, string> = {},
): Promise<Child<T>> {
  const file = isAbsolute(script) ? script : fileURLToPath(new URL(`../servers/${script}`, import.meta.url));
  const child = fork(file, [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=384'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const name = basename(script);
  const message = await nextMessage<T>(child, name, 'its ready message', readyDeadlineMs).catch(
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
  return {
    name,
    process: child,
    ready: message,
    stop: (graceMs = 10_000) => terminate(child, graceMs),
  };
}

/**
 * Asks a child to do something and waits for its answer (one IPC round trip), for at most
 * `deadlineMs`: a child that hangs fails the benchmark as one that exits does.
 */
export async function ask<T>(child: Child<unknown>, request: object, deadlineMs: number): Promise<T> {
  child.process.send(request);
  return nextMessage<T>(child.process, child.name, 'its answer', deadlineMs);
}
