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

interface AvatarDeps {
  users: UserStore;
  avatars: AvatarStore;
  log: FastifyBaseLogger;
}

/** Makes a stored image the user's avatar and removes the one it replaces. */
export async function attachAvatar(deps: AvatarDeps, userId: string, key: string) {
  const { replaced } = await deps.users.setAvatar(userId, key).catch(async (error: unknown) => {
    await dropUnheldAvatar(deps, key, userId);
    throw error;
  });
  if (replaced && replaced !== key) await deps.avatars.delete(replaced);
}

/**
 * Deletes a stored image its user does not hold: a create refused (409) or failed, a swap that did
 * not land. It stays while the user holds it, or cannot be read to tell, since a write whose answer
 * was lost may have landed. Best effort: the request's answer stands either way, and an image left
 * behind is logged.
 */
export async function dropUnheldAvatar({ users, avatars, log }: AvatarDeps, key: string, userId: string) {
  try {
    const held = await users.get(userId).then(
      (user) => user?.avatarKey === key,
      () => true,
    );
    if (!held) await avatars.delete(key);
  } catch (error) {
    log.warn({ event: 'avatar.left', ...faultFields(error) }, 'avatar its user does not hold left stored');
  }
}
