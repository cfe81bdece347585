import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect, vi } from 'vitest';

/**
 * Faults a test injects into the document client's `send`, above the SDK's own retries:
 * - `fails`: refused (throttled through every try);
 * - `lands, answer lost`: written, then a timeout through every try;
 * - `lands, then retried`: written, and sent again, as the SDK does after a try whose answer was
 *   lost: a conditional write then fails its condition on its own first landing.
 */
export type WriteFault = 'fails' | 'lands, answer lost' | 'lands, then retried';

export interface SentCommand {
  constructor: { name: string };
  input: {
    Item?: Record<string, unknown>;
    Key?: Record<string, unknown>;
    ConditionExpression?: string;
    UpdateExpression?: string;
  };
}

export type CommandMatch = (command: SentCommand) => boolean;

/** A command of `kind` (Put, Get, Update, Delete) on an item whose `pk` starts with `prefix`. */
export const commandOn =
  (kind: string, prefix: string): CommandMatch =>
  (command) =>
    command.constructor.name === `${kind}Command` &&
    String((command.input.Item ?? command.input.Key)?.pk ?? '').startsWith(prefix);

/** Runs `run` with each rule's first matching command meeting its fault; every rule must be met. */
export async function withWriteFaults(
  documents: DynamoDBDocumentClient,
  rules: [CommandMatch, WriteFault][],
  run: () => Promise<void>,
): Promise<void> {
  const send = documents.send.bind(documents);
  const pending = [...rules];
  const spy = vi.spyOn(documents, 'send').mockImplementation((async (command: SentCommand) => {
    const rule = pending.find(([matches]) => matches(command));
    if (!rule) return send(command as never);
    pending.splice(pending.indexOf(rule), 1);
    if (rule[1] === 'fails') {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    }
    await send(command as never);
    if (rule[1] === 'lands, then retried') return send(command as never);
    throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
  }) as never);
  try {
    await run();
    expect(pending).toEqual([]);
  } finally {
    spy.mockRestore();
  }
}
