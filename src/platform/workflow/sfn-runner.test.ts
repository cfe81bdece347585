import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  InvalidToken,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { sfnWorkflowRunner } from './sfn-runner.js';

/** Step Functions' API has no local engine here: a fake client records the exact commands sent. */
const machine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:skiff-dev-orders-pipeline';

function fakeSfn(answer: (command: unknown) => unknown) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      return answer(command);
    },
  } as unknown as SFNClient;
  return { client, sent };
}

describe('sfnWorkflowRunner', () => {
  it('starts an execution named by the run id, with the input as JSON', async () => {
    const { client, sent } = fakeSfn(() => ({ executionArn: 'x', startDate: new Date() }));
    const { runId } = await sfnWorkflowRunner(client, machine).start({ attempt: 0, maxAttempts: 10 });
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(StartExecutionCommand);
    expect((sent[0] as StartExecutionCommand).input).toEqual({
      stateMachineArn: machine,
      name: runId,
      input: '{"attempt":0,"maxAttempts":10}',
    });
  });

  it('describes the execution of that name and maps its status, output and error', async () => {
    const { client, sent } = fakeSfn(() => ({
      status: 'FAILED',
      startDate: new Date('2026-11-21T10:00:00Z'),
      stopDate: new Date('2026-11-21T10:05:00Z'),
      error: 'ResultsNotReady',
      cause: 'no results',
    }));
    const run = await sfnWorkflowRunner(client, machine).describe('0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f');
    expect((sent[0] as DescribeExecutionCommand).input).toEqual({
      executionArn:
        'arn:aws:states:eu-west-1:123456789012:execution:skiff-dev-orders-pipeline:0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f',
    });
    expect(sent[0]).toBeInstanceOf(DescribeExecutionCommand);
    expect(run).toEqual({
      runId: '0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f',
      status: 'FAILED',
      startedAt: '2026-11-21T10:00:00.000Z',
      stoppedAt: '2026-11-21T10:05:00.000Z',
      error: { error: 'ResultsNotReady', cause: 'no results' },
    });
  });

  it('answers undefined for an execution that does not exist', async () => {
    const { client } = fakeSfn(() => {
      throw new ExecutionDoesNotExist({ message: 'nope', $metadata: {} });
    });
    expect(await sfnWorkflowRunner(client, machine).describe('missing')).toBeUndefined();
  });

  it('lists executions newest first (as ListExecutions answers), describing each, with the next token', async () => {
    const { client, sent } = fakeSfn((command) =>
      command instanceof ListExecutionsCommand
        ? { executions: [{ name: 'run-2' }, { name: 'run-1' }], nextToken: 'token-2' }
        : { status: 'SUCCEEDED', startDate: new Date('2026-11-21T10:00:00Z'), output: '{"settled":1}' },
    );
    const page = await sfnWorkflowRunner(client, machine).list(2, 'token-1');
    expect((sent[0] as ListExecutionsCommand).input).toEqual({
      stateMachineArn: machine,
      maxResults: 2,
      nextToken: 'token-1',
    });
    expect(
      sent.slice(1).map((c) => (c as DescribeExecutionCommand).input.executionArn?.split(':').at(-1)),
    ).toEqual(['run-2', 'run-1']);
    expect(page).toEqual({
      runs: [
        expect.objectContaining({ runId: 'run-2', status: 'SUCCEEDED', output: { settled: 1 } }),
        expect.objectContaining({ runId: 'run-1' }),
      ],
      next: 'token-2',
    });
  });

  it('finds the runs still going with one ListExecutions filtered to RUNNING, describing none', async () => {
    const { client, sent } = fakeSfn(() => ({ executions: [{ name: 'run-3' }] }));
    expect(await sfnWorkflowRunner(client, machine).running(1)).toEqual(['run-3']);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(ListExecutionsCommand);
    expect((sent[0] as ListExecutionsCommand).input).toEqual({
      stateMachineArn: machine,
      statusFilter: 'RUNNING',
      maxResults: 1,
    });
  });

  it('answers a token Step Functions refuses as the caller’s error (400)', async () => {
    const { client } = fakeSfn(() => {
      throw new InvalidToken({ message: 'bad token', $metadata: {} });
    });
    await expect(sfnWorkflowRunner(client, machine).list(2, 'forged')).rejects.toMatchObject({
      statusCode: 400,
    });
  });
});
