import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { faultFields } from '../../platform/aws/transient-error.js';
import type { UploadedFile } from '../../platform/http/multipart.js';
import { HttpProblem } from '../../platform/http/problem.js';
import type { AvatarStore } from './avatar-store.js';
import { avatarFileName, avatarKeys, sniffImageType } from './domain.js';
import type { UserStore } from './user-store.js';

/** Checks a file is a real image by its bytes, then stores it; answers where it went. */
export async function storeAvatar(
  avatars: AvatarStore,
  file: UploadedFile,
  owner: { userId: string } | 'unattached',
): Promise<{ key: string; fileName: string }> {
  const type = sniffImageType(file.bytes);
  if (!type) {
    throw new HttpProblem(415, 'The file is not a PNG, JPEG, GIF or WebP image.', {
      error: 'File type not allowed: send a PNG, JPEG, GIF or WebP image',
    });
  }
  const fileName = avatarFileName(randomUUID(), type);
  const key =
    owner === 'unattached' ? avatarKeys.unattached(fileName) : avatarKeys.ofUser(owner.userId, fileName);
  await avatars.put(key, file.bytes, type);
  return { key, fileName };
}

/** Makes a stored image the user's avatar and removes the one it replaces. */
export async function attachAvatar(users: UserStore, avatars: AvatarStore, userId: string, key: string) {
  const { replaced } = await users.setAvatar(userId, key).catch(async (error: unknown) => {
    // Not attached (the swap kept losing, or the table failed): the image is nobody's, unless the
    // swap landed after all, or the user cannot be read to tell; then it stays.
    const current = await users.get(userId).then(
      (user) => user?.avatarKey,
      () => key,
    );
    if (current !== key) await avatars.delete(key).catch(() => {});
    throw error;
  });
  if (replaced && replaced !== key) await avatars.delete(replaced);
}

/**
 * Deletes the avatar stored for a user the request did not create. Best effort: the answer (a 409,
 * or the error that stopped the create) stands either way, and an image left behind is logged. With
 * `unlessUserExists`, the create's outcome is unknown: the image stays while the user may exist.
 */
export async function dropUnusedAvatar(
  { users, avatars, log }: { users: UserStore; avatars: AvatarStore; log: FastifyBaseLogger },
  key: string,
  unlessUserExists?: string,
): Promise<void> {
  try {
    if (unlessUserExists && (await users.get(unlessUserExists).then(Boolean, () => true))) return;
    await avatars.delete(key);
  } catch (error) {
    log.warn({ event: 'avatar.left', ...faultFields(error) }, 'avatar of a user not created left stored');
  }
}
