import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionDoesNotExist,
  InvalidToken,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { v7 as uuidV7 } from 'uuid';
import { type RunDescription, UnknownRunCursor, type WorkflowRunner } from './workflow-runner.js';

function describedRun(runId: string, run: DescribeExecutionCommandOutput): RunDescription {
  return {
    runId,
    status:
      run.status === 'SUCCEEDED'
        ? 'SUCCEEDED'
        : run.status === 'RUNNING' || run.status === 'PENDING_REDRIVE'
          ? 'RUNNING'
          : 'FAILED',
    startedAt: run.startDate?.toISOString() ?? '',
    ...(run.stopDate && { stoppedAt: run.stopDate.toISOString() }),
    ...(run.output && { output: JSON.parse(run.output) }),
    ...(run.error && { error: { error: run.error, cause: run.cause } }),
  };
}

/** The workflow port on AWS Step Functions: a run is an execution named by its run id. */
export function sfnWorkflowRunner(sfn: SFNClient, stateMachineArn: string): WorkflowRunner {
  const executionArn = (runId: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
  const describe = async (runId: string) => {
    try {
      const run = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(runId) }));
      return describedRun(runId, run);
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  };
  return {
    async start(input) {
      const runId = uuidV7();
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: runId, input: JSON.stringify(input) }),
      );
      return { runId };
    },
    describe,
    /** ListExecutions answers newest first; each run is described for its error (the list has none). */
    async list(limit, cursor) {
      try {
        const page = await sfn.send(
          new ListExecutionsCommand({ stateMachineArn, maxResults: limit, nextToken: cursor }),
        );
        const names = (page.executions ?? []).map((execution) => String(execution.name));
        const runs = (await Promise.all(names.map(describe))).filter((run) => run !== undefined);
        return { runs, ...(page.nextToken && { next: page.nextToken }) };
      } catch (error) {
        if (error instanceof InvalidToken) throw new UnknownRunCursor();
        throw error;
      }
    },
    async running(limit) {
      const page = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', maxResults: limit }),
      );
      return (page.executions ?? []).map((execution) => String(execution.name));
    },
    async close() {},
  };
}
