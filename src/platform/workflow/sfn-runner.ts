import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { v7 as uuidV7 } from 'uuid';
import type { RunDescription, WorkflowRunner } from './workflow-runner.js';

/** The workflow port on AWS Step Functions: a run is an execution named by its run id. */
export function sfnWorkflowRunner(sfn: SFNClient, stateMachineArn: string): WorkflowRunner {
  const executionArn = (runId: string) =>
    `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;
  return {
    async start(input) {
      const runId = uuidV7();
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name: runId, input: JSON.stringify(input) }),
      );
      return { runId };
    },
    async describe(runId) {
      try {
        const run = await sfn.send(new DescribeExecutionCommand({ executionArn: executionArn(runId) }));
        const description: RunDescription = {
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
        return description;
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return undefined;
        throw error;
      }
    },
    async close() {},
  };
}
