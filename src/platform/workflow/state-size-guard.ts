import type { StateMachine } from 'aws-local-stepfunctions';

/** The package exports the generator, not its event type. */
type ExecutionEvents = ReturnType<StateMachine['run']>['eventLogs'];

/** Step Functions' limit on any state's input or output, and on a task's result: 256 KiB of UTF-8 JSON. */
export const stateLimitBytes = 262_144;

export interface LargestState {
  state: string;
  bytes: number;
}

export interface SizeViolation extends LargestState {
  error: 'States.DataLimitExceeded';
  cause: string;
}

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');

/**
 * Reads a local execution's events (which also keeps aws-local-stepfunctions from queueing them for
 * ever) and measures every state's input and output, as Step Functions does. The first state past
 * the limit is reported through `onViolation`: on AWS that run would fail, uncatchably, right there.
 */
export async function watchStateSizes(
  events: ExecutionEvents,
  onViolation: (violation: SizeViolation) => void,
): Promise<LargestState> {
  let largest: LargestState = { state: '', bytes: 0 };
  for await (const event of events) {
    if (event.type !== 'StateEntered' && event.type !== 'StateExited') continue;
    const payload = event.type === 'StateEntered' ? event.state.input : event.state.output;
    const bytes = bytesOf(payload);
    if (bytes > largest.bytes) largest = { state: event.state.name, bytes };
    if (bytes > stateLimitBytes) {
      onViolation({
        error: 'States.DataLimitExceeded',
        cause: `The ${event.type === 'StateEntered' ? 'input' : 'output'} of state '${event.state.name}' is ${bytes} bytes, over Step Functions' limit of ${stateLimitBytes}.`,
        state: event.state.name,
        bytes,
      });
    }
  }
  return largest;
}
