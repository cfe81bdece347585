/** The workflow port: start a state machine run and read how it went (Step Functions, or local). */

export type RunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

export interface RunDescription {
  runId: string;
  status: RunStatus;
  startedAt: string;
  stoppedAt?: string;
  /** The run's final output, when it succeeded. */
  output?: unknown;
  /** Error name and cause, when it failed. */
  error?: { error: string; cause?: string };
}

export interface RunPage {
  /** Newest first. */
  runs: RunDescription[];
  /** Where the next page starts; absent on the last page. */
  next?: string;
}

/** A page position the runner did not hand out (or has forgotten): the caller's error, a 400. */
export class UnknownRunCursor extends Error {
  readonly statusCode = 400;
  constructor() {
    super('querystring.cursor is not a cursor this API returned, or its runs are forgotten');
    this.name = 'UnknownRunCursor';
  }
}

export interface WorkflowRunner {
  start(input: unknown): Promise<{ runId: string }>;
  describe(runId: string): Promise<RunDescription | undefined>;
  /** Recent runs, newest first; `cursor` is a `next` an earlier page answered. */
  list(limit: number, cursor?: string): Promise<RunPage>;
  /** The ids of runs still going, newest first, at most `limit`. */
  running(limit: number): Promise<string[]>;
  /** Stops what this process runs (local runs); nothing to do for Step Functions. */
  close(): Promise<void>;
}

/** A Task state's work, the same function whether Lambda or the local runner calls it. */
export type WorkflowTask = (input: unknown) => Promise<unknown>;
