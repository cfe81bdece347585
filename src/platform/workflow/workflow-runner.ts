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

export interface WorkflowRunner {
  start(input: unknown): Promise<{ runId: string }>;
  describe(runId: string): Promise<RunDescription | undefined>;
  /** Stops what this process runs (local runs); nothing to do for Step Functions. */
  close(): Promise<void>;
}

/** A Task state's work, the same function whether Lambda or the local runner calls it. */
export type WorkflowTask = (input: unknown) => Promise<unknown>;
