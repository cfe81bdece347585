/**
 * User and avatar rules, pure: no I/O, no AWS, no Fastify.
 */

export interface User {
  id: string;
  name: string;
  email: string;
  /** The avatar's object key, when the user has one; turned into a URL at the edge. */
  avatarKey?: string;
  createdAt: string;
}

export const maxNameLength = 100;
export const maxEmailLength = 254;

/** Emails are compared and stored lower-cased: `Ann@Example.org` and `ann@example.org` are one user. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

const extensions: Record<ImageType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The image type by its first bytes (magic numbers), never by file name or declared type. SVG and
 * anything else is undefined: SVG can carry script, and an avatar is served back to browsers.
 */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}

/** An avatar object's file name: a fresh id per upload, so a replaced avatar is never half-written. */
export function avatarFileName(objectId: string, type: ImageType): string {
  return `${objectId}.${extensions[type]}`;
}

export const avatarFileNamePattern = '^[0-9a-f-]{36}\\.(png|jpg|gif|webp)$';

export const avatarKeys = {
  ofUser: (userId: string, fileName: string) => `avatars/users/${userId}/${fileName}`,
  unattached: (fileName: string) => `avatars/unattached/${fileName}`,
};
