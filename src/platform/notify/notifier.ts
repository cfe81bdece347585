/** The Notifier port: how services publish messages (SNS on AWS, the local inbox under `npm start`). */

export interface Notification {
  /** Logical topic name, e.g. `donations-thank-you`. */
  topic: string;
  subject?: string;
  message: string;
  attributes: Record<string, string>;
}

export interface PublishedNotification extends Notification {
  messageId: string;
  publishedAt: string;
}

export interface Notifier {
  publish(notification: Notification): Promise<{ messageId: string }>;
}
