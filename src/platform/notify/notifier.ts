/** The Notifier port: how services publish messages (SNS on AWS, the local inbox under `npm start`). */

export interface Notification {
  /** The topic's physical name, e.g. `skiff-dev-donations-thank-you`. */
  topic: string;
  subject?: string;
  message: string;
  /** Message attributes: numbers are sent as SNS `Number`, so subscribers can filter on them. */
  attributes: Record<string, string | number>;
}

export interface PublishedNotification extends Notification {
  messageId: string;
  publishedAt: string;
}

export interface Notifier {
  /** `signal` aborts the publish (a deadline behind a lease); an aborted publish must not go out. */
  publish(notification: Notification, options?: { signal?: AbortSignal }): Promise<{ messageId: string }>;
}

/** Every topic the given services' resources declare, by physical name. */
export function declaredTopics(resources: { topics: Record<string, { name: string }> }[]): string[] {
  return resources.flatMap((r) => Object.values(r.topics).map((t) => t.name));
}
