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
