import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { pipelineDefinition } from './pipeline-definition.js';

const arns = {
  fetchResults: 'arn:aws:lambda:eu-west-1:111111111111:function:fetch',
  deliverBatch: 'arn:aws:lambda:eu-west-1:111111111111:function:deliver',
  summarizeRun: 'arn:aws:lambda:eu-west-1:111111111111:function:summarize',
  notificationsTopic: 'arn:aws:sns:eu-west-1:111111111111:notifications',
};

// The local runner skips this validation at start (it cost about 300 ms of `npm start`), so the
// definition it runs is checked here, by the same validator (asl-validator, through the runner's
// library), as Step Functions checks it when a stack creates the state machine.
type Definition = ConstructorParameters<typeof StateMachine>[0];

describe('the orders pipeline definition', () => {
  it('is valid Amazon States Language, with the defaults and with the shortest wait', () => {
    for (const definition of [pipelineDefinition(arns), pipelineDefinition(arns, { waitSeconds: 0 })]) {
      expect(() => new StateMachine(definition as Definition)).not.toThrow();
    }
  });

  it('fails the check when a transition points at a missing state', () => {
    const broken = structuredClone(pipelineDefinition(arns)) as { StartAt: string };
    broken.StartAt = 'NoSuchState';
    expect(() => new StateMachine(broken as unknown as Definition)).toThrow();
  });
});
