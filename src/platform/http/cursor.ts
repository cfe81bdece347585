import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Opaque page cursors: JSON in base64url. The API hands them out and takes back only what it made. */

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor holds, or undefined when it is not one `accept` recognises. */
export function decodeCursor<T>(cursor: string, accept: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return accept(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/*
 * Sealed cursors, for positions a URL must not show: a page of visits ends on a patient's record
 * number and name key, and a cursor travels in URLs, browser history and proxies' logs. AES-256-GCM
 * under a key derived from `secret` (the caller's credential): opaque, not forgeable, and taken back
 * only with the same secret. Stateless, so any process or Lambda instance opens what another sealed.
 */
const ivBytes = 12;
const tagBytes = 16;
const keyOf = (secret: string) => createHash('sha256').update('skiff page cursor\0').update(secret).digest();

export function sealCursor(position: unknown, secret: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The position a sealed cursor holds, or undefined when it was not sealed with `secret` or is not one `accept` recognises. */
export function openCursor<T>(
  cursor: string,
  secret: string,
  accept: (value: unknown) => value is T,
): T | undefined {
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= ivBytes + tagBytes) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), bytes.subarray(0, ivBytes));
    decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
    const text = Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]);
    const value: unknown = JSON.parse(text.toString('utf8'));
    return accept(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
