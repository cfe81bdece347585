import { randomUUID } from 'node:crypto';
import type { Notification, Notifier, PublishedNotification } from './notifier.js';

/** The SNS stand-in of local mode: keeps what was published, in order, for `GET /_local/notifications`. */
export class LocalInbox implements Notifier {
  readonly #entries: PublishedNotification[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async publish(
    notification: Notification,
    options: { signal?: AbortSignal } = {},
  ): Promise<{ messageId: string }> {
    options.signal?.throwIfAborted();
    const messageId = randomUUID();
    this.#entries.push({ ...notification, messageId, publishedAt: this.clock().toISOString() });
    return { messageId };
  }

  list(): readonly PublishedNotification[] {
    return this.#entries;
  }
}
