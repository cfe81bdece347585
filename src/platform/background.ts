import type { Logger } from 'pino';

/** Work a service repeats outside requests, e.g. retrying notifications whose publish failed. */
export interface BackgroundTask {
  name: string;
  intervalMs: number;
  /** Wait one interval before the first run (schedules), instead of running at start (sweeps). */
  skipFirstRun?: boolean;
  run(): Promise<void>;
}

export interface RunningTasks {
  /** Waits for any run in progress, then stops the timers. */
  stop(): Promise<void>;
}

/**
 * Runs each task once at start (unless `skipFirstRun`) and then every `intervalMs` (0: no timer, the
 * run at start only), never two runs of one task at once.
 * A failed run is logged and tried again at the next tick; it never stops the process.
 */
export function startBackgroundTasks(tasks: BackgroundTask[], log: Logger): RunningTasks {
  const inFlight = new Set<Promise<void>>();
  const timers = tasks
    .filter((task) => task.intervalMs > 0 || !task.skipFirstRun)
    .flatMap((task) => {
      let running: Promise<void> | undefined;
      const tick = () => {
        if (running) return;
        running = task
          .run()
          .catch((error: unknown) => log.error({ task: task.name, err: error }, 'background task failed'))
          .finally(() => {
            inFlight.delete(running as Promise<void>);
            running = undefined;
          });
        inFlight.add(running);
      };
      if (!task.skipFirstRun) tick();
      if (task.intervalMs === 0) return [];
      const timer = setInterval(tick, task.intervalMs);
      timer.unref();
      return [timer];
    });
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}
