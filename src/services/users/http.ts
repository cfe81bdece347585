import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import * as Type from 'typebox';
import { parseUrlEncodedForm } from '../../platform/http/body-text.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { readMultipartForm, type UploadedFile } from '../../platform/http/multipart.js';
import { HttpProblem, legacyErrorHandler, validationProblem } from '../../platform/http/problem.js';
import { OrNull, ProblemSchema } from '../../platform/http/schemas.js';
import type { AvatarStore } from './avatar-store.js';
import { attachAvatar, dropUnheldAvatar, storeAvatar } from './avatar-upload.js';
import { avatarFileNamePattern, avatarKeys, normaliseEmail, type User } from './domain.js';
import { checkUserInput, UserBody } from './user-input.js';
import type { UserStore } from './user-store.js';

const image = Type.String({ format: 'binary', description: 'A PNG, JPEG, GIF or WebP image' });
/** POST /user as a form: the same fields as the JSON body, and the avatar under either name. */
const UserForm = Type.Object({
  ...UserBody.properties,
  avatar: Type.Optional(image),
  file: Type.Optional({
    ...image,
    description: "The same as `avatar` (the name the template's Swagger uses)",
  }),
});
const UploadForm = Type.Object({
  file: image,
  email: Type.Optional(Type.String({ description: "Make it this user's avatar" })),
  user_id: Type.Optional(Type.String({ description: "Make it this user's avatar" })),
});

/** The avatar's field: `avatar` as the template's code reads it, `file` as its own Swagger names it. */
const avatarFields = ['avatar', 'file'];

/**
 * The form's avatar file, if any. A file under any other field name is refused, never dropped: the
 * client meant it as the avatar and would otherwise get a user without one, and no word why.
 */
function avatarOf(files: UploadedFile[]): UploadedFile | undefined {
  const stray = files.find((file) => !avatarFields.includes(file.field));
  if (stray) {
    // The field's name is echoed only when it is a plain identifier.
    const field = /^[A-Za-z0-9_.-]{1,64}$/.test(stray.field) ? `body.${stray.field}` : 'body';
    throw validationProblem([
      { field, message: 'is a file field this form does not take: send the avatar as "avatar" or "file"' },
    ]);
  }
  return files.find((file) => file.filename);
}

export interface UsersDependencies {
  users: UserStore;
  avatars: AvatarStore;
  clock: () => Date;
  newId: () => string;
  maxAvatarBytes: number;
  /** `stream` serves avatars through the API (local); `redirect` sends a short-lived S3 URL (AWS). */
  avatarDelivery: 'stream' | 'redirect';
  /** Base of the URLs handed out; derived from each request when unset. */
  publicUrl?: string;
}

const UserView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  avatar_url: OrNull(Type.String()),
  created_at: Type.String(),
});

const LegacyProblem = Type.Object(
  { ...ProblemSchema.properties, error: Type.String({ description: "The brief's client's error text" }) },
  { additionalProperties: true },
);
const problems = {
  400: LegacyProblem,
  404: LegacyProblem,
  409: LegacyProblem,
  413: LegacyProblem,
  415: LegacyProblem,
};

const listKeyNames = ['pk', 'listKey', 'createdKey'];
const isListPosition = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  Object.keys(value).length === listKeyNames.length &&
  listKeyNames.every((name) => typeof (value as Record<string, unknown>)[name] === 'string');

function positionFromCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor, isListPosition);
  if (position) return position;
  throw new HttpProblem(400, 'querystring.cursor is not a cursor this API returned', {
    error: 'Invalid cursor',
  });
}

export function usersRoutes(deps: UsersDependencies): FastifyPluginAsync {
  const { users, avatars, clock, newId, maxAvatarBytes } = deps;
  const base = (request: FastifyRequest) => deps.publicUrl ?? `${request.protocol}://${request.host}`;
  const view = (request: FastifyRequest, user: User) => ({
    id: user.id,
    name: user.name,
    email: user.email,
    avatar_url: user.avatarKey ? `${base(request)}/users/${user.id}/avatar` : null,
    created_at: user.createdAt,
  });
  const readForm = (request: FastifyRequest) =>
    readMultipartForm(request, { fileBytes: maxAvatarBytes, fieldBytes: 1024 });

  return async (plugin) => {
    await plugin.register(multipart, { throwFileSizeLimit: true });
    // An HTML form without a file posts urlencoded, which the brief's Flask template took (request.form).
    plugin.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'buffer' },
      // A parser that throws is answered with its error: Fastify calls it inside a try.
      (request, body, done) => done(null, parseUrlEncodedForm(request, body as Buffer)),
    );
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['users'];
    // Every error on these routes also carries `error`, as the brief's template app did.
    app.setErrorHandler(legacyErrorHandler('error', 'Missing required data'));

    app.post(
      '/user',
      {
        schema: {
          tags,
          summary: 'Create a user, from JSON or a form (with an optional avatar file)',
          body: {
            content: {
              'application/json': { schema: UserBody },
              'multipart/form-data': { schema: UserForm },
              'application/x-www-form-urlencoded': { schema: UserBody },
            },
          },
          response: {
            201: Type.Object({ success: Type.Literal('User created'), ...UserView.properties }),
            ...problems,
          },
        },
        // The body is checked in the handler, the same way for JSON and forms, with the brief's errors.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        const form = request.isMultipart() ? await readForm(request) : undefined;
        const input = checkUserInput(form ? form.fields : request.body);
        const avatarFile = form ? avatarOf(form.files) : undefined;
        const id = newId();
        // The avatar is checked and stored first, so a refused image (415) leaves no user behind,
        // and the user is written once, avatar and all.
        const avatar = avatarFile ? await storeAvatar(avatars, avatarFile, { userId: id }) : undefined;
        const user: User = {
          id,
          name: input.name,
          email: normaliseEmail(input.email),
          createdAt: clock().toISOString(),
          ...(avatar && { avatarKey: avatar.key }),
        };
        const avatarDeps = { users, avatars, log: request.log };
        const created = await users.create(user).catch(async (error: unknown) => {
          if (avatar) await dropUnheldAvatar(avatarDeps, avatar.key, user.id);
          throw error;
        });
        if (!created) {
          if (avatar) await dropUnheldAvatar(avatarDeps, avatar.key, user.id);
          throw new HttpProblem(409, 'A user with this e-mail address already exists.', {
            error: 'User already exists',
          });
        }
        request.log.info(
          { event: 'user.created', userId: user.id, avatar: Boolean(avatarFile) },
          'user created',
        );
        return reply.code(201).send({ success: 'User created', ...view(request, user) });
      },
    );

    app.get(
      '/users',
      {
        schema: {
          tags,
          summary: 'List users, oldest first; the next page is in the Link header',
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            cursor: Type.Optional(Type.String({ maxLength: 1000 })),
          }),
          response: { 200: Type.Array(UserView), ...problems },
        },
      },
      async (request, reply) => {
        const { limit, cursor } = request.query;
        const page = await users.list(limit, positionFromCursor(cursor));
        if (page.next) {
          const next = `${base(request)}/users?limit=${limit}&cursor=${encodeCursor(page.next)}`;
          reply.header('link', `<${next}>; rel="next"`);
        }
        return page.users.map((user) => view(request, user));
      },
    );

    app.post(
      '/upload',
      {
        schema: {
          tags,
          summary: "Upload an image; with `email` or `user_id` it becomes that user's avatar",
          consumes: ['multipart/form-data'],
          body: UploadForm,
          response: {
            200: Type.Object({
              message: Type.Literal('File uploaded successfully'),
              file_url: Type.String(),
            }),
            ...problems,
          },
        },
        // A form is read in the handler, part by part; the schema documents it.
        validatorCompiler: () => () => true,
      },
      async (request) => {
        if (!request.isMultipart()) {
          throw new HttpProblem(400, 'Send multipart/form-data with a file field named "file".', {
            error: 'No file part in the request',
          });
        }
        const form = await readForm(request);
        const file = form.files.find((part) => part.field === 'file');
        if (!file)
          throw new HttpProblem(400, 'The form has no "file" field.', {
            error: 'No file part in the request',
          });
        if (!file.filename) {
          throw new HttpProblem(400, 'The "file" field has no file name.', {
            error: 'No file selected for uploading',
          });
        }
        const { email, user_id: userId } = form.fields;
        const owner = userId
          ? await users.get(userId)
          : email
            ? await users.findByEmail(normaliseEmail(email))
            : undefined;
        if ((userId || email) && !owner)
          throw new HttpProblem(404, 'No such user.', { error: 'User not found' });
        if (!owner) {
          const { fileName } = await storeAvatar(avatars, file, 'unattached');
          return {
            message: 'File uploaded successfully' as const,
            file_url: `${base(request)}/avatars/${fileName}`,
          };
        }
        const { key } = await storeAvatar(avatars, file, { userId: owner.id });
        await attachAvatar({ users, avatars, log: request.log }, owner.id, key);
        request.log.info(
          { event: 'avatar.uploaded', userId: owner.id, bytes: file.bytes.length },
          'avatar uploaded',
        );
        return {
          message: 'File uploaded successfully' as const,
          file_url: `${base(request)}/users/${owner.id}/avatar`,
        };
      },
    );

    const serve = async (reply: FastifyReply, key: string) => {
      if (deps.avatarDelivery === 'redirect') return reply.redirect(await avatars.signedUrl(key, 300), 302);
      const object = await avatars.open(key);
      if (!object) throw new HttpProblem(404, 'The avatar is gone.', { error: 'Avatar not found' });
      reply.header('content-type', object.contentType).header('x-content-type-options', 'nosniff');
      reply.header('cache-control', 'private, max-age=300');
      if (object.length !== undefined) reply.header('content-length', object.length);
      return reply.send(object.body);
    };

    app.get(
      '/users/:id/avatar',
      {
        schema: {
          tags,
          summary: "The user's avatar: streamed locally, a redirect to a short-lived S3 URL on AWS",
          params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
          response: { 404: LegacyProblem },
        },
      },
      async (request, reply) => {
        const user = await users.get(request.params.id);
        if (!user?.avatarKey)
          throw new HttpProblem(404, 'This user has no avatar.', { error: 'Avatar not found' });
        return serve(reply, user.avatarKey);
      },
    );

    app.get(
      '/avatars/:fileName',
      {
        schema: {
          tags,
          summary: 'An image uploaded without a user',
          params: Type.Object({ fileName: Type.String({ pattern: avatarFileNamePattern }) }),
          response: { 404: LegacyProblem },
        },
      },
      async (request, reply) => serve(reply, avatarKeys.unattached(request.params.fileName)),
    );
  };
}
