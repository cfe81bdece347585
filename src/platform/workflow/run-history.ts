import { type RunDescription, type RunPage, UnknownRunCursor } from './workflow-runner.js';

/**
 * The local runner's memory of runs: every run still going, and the newest `keepFinished` finished
 * ones; older finished runs are forgotten, so a long-lived process holds a bounded number.
 */
export class RunHistory {
  readonly #runs = new Map<string, RunDescription>();
  readonly #finished: string[] = [];

  constructor(private readonly keepFinished: number) {}

  started(run: RunDescription): void {
    this.#runs.set(run.runId, run);
  }

  finished(run: RunDescription): void {
    this.#runs.set(run.runId, run);
    this.#finished.push(run.runId);
    while (this.#finished.length > this.keepFinished) this.#runs.delete(this.#finished.shift() as string);
  }

  get(runId: string): RunDescription | undefined {
    return this.#runs.get(runId);
  }

  /** The ids of runs still going, newest first. */
  running(limit: number): string[] {
    const going = [...this.#runs.values()].filter((run) => run.status === 'RUNNING');
    return going
      .reverse()
      .slice(0, limit)
      .map((run) => run.runId);
  }

  /** Newest first (runs are kept in start order); the cursor is the last run id of the page before. */
  page(limit: number, cursor?: string): RunPage {
    const newestFirst = [...this.#runs.values()].reverse();
    let from = 0;
    if (cursor !== undefined) {
      const at = newestFirst.findIndex((run) => run.runId === cursor);
      if (at < 0) throw new UnknownRunCursor();
      from = at + 1;
    }
    const runs = newestFirst.slice(from, from + limit);
    const last = runs.at(-1);
    return from + limit < newestFirst.length && last ? { runs, next: last.runId } : { runs };
  }
}
