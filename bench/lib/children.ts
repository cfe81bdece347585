import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';

/**
 * A benchmark's server or load loop in its own Node process (run by tsx), so it gets a core of its
 * own as in production, and the driver's load generator does not share its event loop. The child
 * sends one IPC message when it is ready (`{ ready: true, ... }`); its stdout (request logs) goes to
 * /dev/null, as a log shipper would take it, at the same cost of writing it.
 */
export interface Child<T> {
  process: ChildProcess;
  ready: T;
  stop(): Promise<void>;
}

export async function startChild<T extends object>(
  script: string,
  env: Record<string, string> = {},
): Promise<Child<T>> {
  const child = fork(new URL(`../servers/${script}`, import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=384'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${script} exited with ${code} before it was ready`);
    }),
  ])) as [T];
  return {
    process: child,
    ready: message,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Asks a child to do something and waits for its answer (one IPC round trip). */
export async function ask<T>(child: Child<unknown>, request: object): Promise<T> {
  child.process.send(request);
  const [answer] = (await once(child.process, 'message')) as [T];
  return answer;
}
