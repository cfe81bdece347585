import { readFileSync } from 'node:fs';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import {
  type CommandMatch,
  commandOn,
  type SentCommand,
  type WriteFault,
  withWriteFaults,
} from '../../local/write-faults.js';
import { worstCaseCallMs } from '../../platform/aws/clients.js';
import { loadConfig } from '../../platform/config.js';
import { resolveResources } from '../../platform/resources.js';
import { usersResources } from './resources.js';
import { orphanAfterMs } from './user-store.js';

let platform: TestPlatform;
const bucket = 'skiff-local-users-avatars';

beforeAll(async () => {
  platform = await startTestPlatform({ env: { SKIFF_MAX_AVATAR_BYTES: '4096' } });
});
afterAll(() => platform.stop());

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 1),
]);
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]);
const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP'), Buffer.alloc(32)]);

/** A multipart/form-data body, as a browser or curl -F sends it. */
function form(
  fields: Record<string, string>,
  files: { field: string; filename: string; bytes: Buffer; type?: string }[] = [],
) {
  const boundary = '----skiffTestBoundary';
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  for (const file of files) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const createJson = (body: unknown) =>
  platform.app.inject({ method: 'POST', url: '/user', payload: body as object });
/** A body of the given content type, as any HTTP client may send it. */
const sendAs = (url: string, type: string, payload: string | Buffer) =>
  platform.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
const sendForm = (payload: string | Buffer) => sendAs('/user', 'application/x-www-form-urlencoded', payload);
const post = (url: string, body: ReturnType<typeof form>) =>
  platform.app.inject({ method: 'POST', url, payload: body.payload, headers: body.headers });
const objects = async (prefix: string) =>
  (await platform.aws.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? [];

/** Faults in the users table's writes and reads, above the SDK's retries. */
const withFaults = (rules: [CommandMatch, WriteFault][], run: () => Promise<void>) =>
  withWriteFaults(platform.aws.documents, rules, run);
const userWrite = commandOn('Put', 'USER#');
const userRead = commandOn('Get', 'USER#');
const reservation = commandOn('Put', 'EMAIL#');

describe('POST /user', () => {
  it('creates a user from JSON, storing the e-mail lower-cased', async () => {
    const response = await createJson({ name: 'Ada Lovelace', email: 'Ada@Example.org' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      success: 'User created',
      id: expect.any(String),
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      avatar_url: null,
      created_at: expect.any(String),
    });
  });

  it('creates a user from a form with an avatar whose URL serves the image', async () => {
    const response = await post(
      '/user',
      form({ name: 'Bob', email: 'bob@example.org' }, [{ field: 'avatar', filename: 'me.png', bytes: png }]),
    );
    expect(response.statusCode).toBe(201);
    const { id, avatar_url: url } = response.json();
    expect(url).toBe(`http://localhost:80/users/${id}/avatar`);
    const image = await platform.app.inject({ method: 'GET', url: `/users/${id}/avatar` });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.equals(png)).toBe(true);
  });

  it.each([
    ['no body at all', undefined, 'Missing required data'],
    ['an empty object', {}, 'Missing required data'],
    ['no e-mail', { name: 'Cy' }, 'Missing required data: email'],
    ['no name', { email: 'cy@example.org' }, 'Missing required data: name'],
    ['an empty name', { name: '', email: 'cy@example.org' }, 'Missing required data: name'],
  ])('answers %s with 400 and the brief error text', async (_case, body, error) => {
    const response =
      body === undefined
        ? await platform.app.inject({ method: 'POST', url: '/user' })
        : await createJson(body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ status: 400, error });
  });

  it('answers an empty JSON body with the brief error text too', async () => {
    const response = await sendAs('/user', 'application/json', '');
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('Missing required data');
  });

  const nameRule =
    'must be 1 to 100 characters, with no control, text-direction override, replacement (U+FFFD) or lone surrogate characters';
  it.each([
    ['a bad e-mail', { name: 'Cy', email: 'not-an-email' }, 'body.email', 'must match format "email"'],
    ['a name too long', { name: 'x'.repeat(101), email: 'cy@example.org' }, 'body.name', nameRule],
    ['a name that is not text', { name: 123, email: 'cy@example.org' }, 'body.name', nameRule],
    // What a multipart parser leaves of a Latin-1 é.
    ['a name holding U+FFFD', { name: 'Jos\uFFFD', email: 'cy@example.org' }, 'body.name', nameRule],
    // `"\ud800"` in JSON: half a character, which no UTF-8 can store.
    ['a name holding a lone surrogate', { name: 'Jo\uD800', email: 'cy@example.org' }, 'body.name', nameRule],
    // An object whose toString is not a function: String() of it throws, which was a 500.
    [
      'a name no string conversion takes',
      { name: { toString: 0 }, email: 'cy@example.org' },
      'body.name',
      nameRule,
    ],
    [
      'an e-mail that is an object',
      { name: 'Cy', email: { valueOf: 0, toString: 0 } },
      'body.email',
      'must be string',
    ],
    [
      'an unknown field',
      { name: 'Cy', email: 'cy@example.org', admin: true },
      'body.admin',
      'is not allowed',
    ],
  ])('answers %s with a 400 naming the field', async (_case, body, field, message) => {
    const response = await createJson(body);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toContainEqual({ field, message });
  });

  it.each([
    ['typed application/json and not a string', '{"first":"Ann"}', 'application/json', 400],
    ['typed application/json and null', 'null', 'application/json', 400],
    ['typed application/json and not JSON', '{"first":', 'application/json', 400],
    ['longer than the form takes', 'A'.repeat(2000), 'text/plain', 413],
  ])('refuses a form field %s, saving nothing', async (_case, name, type, status) => {
    const boundary = '----fieldTypes';
    const part = (field: string, value: string, contentType?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"\r\n` +
      `${contentType ? `Content-Type: ${contentType}\r\n` : ''}\r\n${value}\r\n`;
    const email = `typed-${status}-${name.length}@example.org`;
    const response = await post('/user', {
      payload: Buffer.from(`${part('name', name, type)}${part('email', email)}--${boundary}--\r\n`),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toEqual(expect.any(String));
    const listed = await platform.app.inject({ method: 'GET', url: '/users?limit=1000' });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(email);
  });

  it('names an unknown field only when its name is a plain identifier, never an e-mail address', async () => {
    const plain = await post('/user', form({ name: 'Eve', email: 'eve-x@example.org', admin: '1' }));
    expect(plain.json()).toMatchObject({
      status: 400,
      errors: [{ field: 'body.admin', message: 'is not allowed' }],
    });
    const personal = await post(
      '/user',
      form({ name: 'Eve', email: 'eve-y@example.org', 'jane.doe@example.org': '1' }),
    );
    expect(personal.statusCode).toBe(400);
    expect(personal.json().errors).toEqual([
      { field: 'body', message: 'has a property that is not allowed' },
    ]);
    expect(personal.body).not.toContain('jane.doe');
  });

  it.each([
    ['spaces only', '   ', 'Missing required data: name'],
    ['a NUL and a direction override', 'Ann\u0000\u202e', `Invalid data: body.name ${nameRule}`],
  ])('refuses a name of %s with the brief error text', async (_case, name, error) => {
    const response = await createJson({ name, email: `odd-${name.length}@example.org` });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error });
  });

  it('keeps names in any script, with their marks and apostrophes', async () => {
    const name = 'Zoë O’Brien-Łukasz 李小龍 عائشة';
    const response = await createJson({ name, email: 'scripts@example.org' });
    expect(response.statusCode).toBe(201);
    expect(response.json().name).toBe(name);
  });

  it('takes an HTML form posted urlencoded, and names the types it takes for any other', async () => {
    const created = await sendForm('name=Ana+Mar%C3%ADa&email=ana%40example.org');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Ana María', email: 'ana@example.org' });
    const escapes = 'The form has an escape that is not UTF-8 or not complete (a % must start %XX).';
    for (const body of ['name=Ana&email=%zz', 'name=Jos%E9&email=jose%40example.org']) {
      const answer = await sendForm(body);
      expect(answer.json()).toMatchObject({ status: 400, detail: escapes, error: escapes });
    }
    const refused = await sendAs('/user', 'text/plain', 'name=Ana');
    expect(refused.statusCode).toBe(415);
    expect(refused.json().detail).toBe(
      'This route takes application/json or multipart/form-data or application/x-www-form-urlencoded, not text/plain.',
    );
    // A route that documents its types with `consumes` names them too.
    const upload = await sendAs('/upload', 'application/xml', '<a/>');
    expect(upload.statusCode).toBe(415);
    expect(upload.json().detail).toBe('This route takes multipart/form-data, not application/xml.');
  });

  it('refuses body bytes that are not UTF-8, and a charset that is not, instead of storing U+FFFD', async () => {
    const latin1 = Buffer.from('{"name":"Jos\xe9","email":"jose@example.org"}', 'latin1');
    const bytes = await sendAs('/user', 'application/json', latin1);
    expect(bytes.statusCode).toBe(400);
    expect(bytes.json()).toMatchObject({ detail: 'The body is not valid UTF-8 text.' });
    const charset = await sendAs('/user', 'application/json; charset=iso-8859-1', latin1);
    expect(charset.statusCode).toBe(415);
    expect(charset.json().detail).toBe('Send the body as UTF-8 text (charset=utf-8).');
    const form = Buffer.from('name=Jos\xe9&email=jose%40example.org', 'latin1');
    expect((await sendForm(form)).statusCode).toBe(400);
    const listed = (await platform.app.inject({ method: 'GET', url: '/users?limit=1000' })).json();
    expect(listed.some((u: { email: string }) => u.email === 'jose@example.org')).toBe(false);
    // UTF-8 as declared, with a byte-order mark, is read as sent.
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('{"name":"José","email":"jose@example.org"}'),
    ]);
    const created = await sendAs('/user', 'application/json; charset="UTF-8"', bom);
    expect(created.statusCode).toBe(201);
    expect(created.json().name).toBe('José');
  });

  it('takes a form field named __proto__ as a field, which the schema then refuses', async () => {
    const answer = await sendForm('__proto__=x&name=Pat&email=p%40example.org');
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors).toEqual([{ field: 'body.__proto__', message: 'is not allowed' }]);
  });

  it('answers a missing form field with the brief error text', async () => {
    const response = await post('/user', form({ name: 'Dee' }));
    expect(response.json()).toMatchObject({ status: 400, error: 'Missing required data: email' });
  });

  it('gives the e-mail back when the user write fails, so a retry at once creates the user', async () => {
    await withFaults([[userWrite, 'fails']], async () => {
      const failed = await createJson({ name: 'Retry', email: 'retry@example.org' });
      // Throttling outlived the SDK's retries: 503, which tells the client a retry may work.
      expect(failed.statusCode).toBe(503);
      expect(failed.headers['retry-after']).toBe('1');
      const retried = await createJson({ name: 'Retry', email: 'retry@example.org' });
      expect(retried.statusCode).toBe(201);
    });
  });

  it('keeps the e-mail of a user whose write landed though its answer was lost', async () => {
    await withFaults([[userWrite, 'lands, answer lost']], async () => {
      const first = await createJson({ name: 'Landed', email: 'landed@example.org' });
      expect(first.statusCode).toBe(201);
      const again = await createJson({ name: 'Copy', email: 'landed@example.org' });
      expect(again.statusCode).toBe(409);
    });
  });

  it('keeps the e-mail of a user whose write may have landed when reading it back fails too', async () => {
    await withFaults(
      [
        [userWrite, 'lands, answer lost'],
        [userRead, 'fails'],
      ],
      async () => {
        expect((await createJson({ name: 'Brownout', email: 'brownout@example.org' })).statusCode).toBe(503);
        // The retry finds the address taken by the user that did land, and makes no second one.
        const retried = await createJson({ name: 'Brownout', email: 'brownout@example.org' });
        expect(retried.statusCode).toBe(409);
      },
    );
    const listed = (await platform.app.inject({ method: 'GET', url: '/users?limit=1000' })).json();
    expect(listed.filter((u: { email: string }) => u.email === 'brownout@example.org')).toHaveLength(1);
  });

  it('creates the user whose e-mail reservation landed and was sent again by a retry', async () => {
    await withFaults([[reservation, 'lands, then retried']], async () => {
      const created = await createJson({ name: 'Twice', email: 'twice@example.org' });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ name: 'Twice', email: 'twice@example.org' });
    });
  });

  it('takes over an orphaned reservation whose takeover landed and was sent again by a retry', async () => {
    const orphan = {
      pk: 'EMAIL#orphan@example.org',
      userId: 'never-written',
      reservedAt: Date.now() - orphanAfterMs - 1000,
    };
    const table = resolveResources('local', 'users', usersResources).tables.users.name;
    await platform.aws.documents.send(new PutCommand({ TableName: table, Item: orphan }));
    const takeover = (command: SentCommand) =>
      command.input.ConditionExpression?.startsWith('userId = :orphaned') === true;
    await withFaults([[takeover, 'lands, then retried']], async () => {
      const created = await createJson({ name: 'Heir', email: 'orphan@example.org' });
      expect(created.statusCode).toBe(201);
    });
  });

  it('deletes the avatar it stored for a user whose write failed', async () => {
    const before = (await objects('avatars/users/')).length;
    await withFaults([[userWrite, 'fails']], async () => {
      const failed = await post(
        '/user',
        form({ name: 'Lost', email: 'lost@example.org' }, [
          { field: 'avatar', filename: 'a.png', bytes: png },
        ]),
      );
      expect(failed.statusCode).toBe(503);
    });
    expect(await objects('avatars/users/')).toHaveLength(before);
  });

  it('answers 409 for a taken e-mail even when the avatar it stored cannot be deleted', async () => {
    expect((await createJson({ name: 'First', email: 'taken@example.org' })).statusCode).toBe(201);
    const send = platform.aws.s3.send.bind(platform.aws.s3);
    const spy = vi.spyOn(platform.aws.s3, 'send').mockImplementation((async (command: object) => {
      if (command.constructor.name === 'DeleteObjectCommand') {
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
      }
      return send(command as never);
    }) as never);
    try {
      const second = await post(
        '/user',
        form({ name: 'Second', email: 'taken@example.org' }, [
          { field: 'avatar', filename: 'a.png', bytes: png },
        ]),
      );
      expect(second.statusCode).toBe(409);
      expect(second.json().error).toBe('User already exists');
    } finally {
      spy.mockRestore();
    }
  });

  it('lets no write stall past the reservation: the worst SDK call ends before a reservation is orphaned', () => {
    expect(worstCaseCallMs(loadConfig({}).awsTimeouts)).toBeLessThan(orphanAfterMs);
  });

  it("stores an avatar sent as `file`, the field name the template's own Swagger gives", async () => {
    const swagger = JSON.parse(
      readFileSync(new URL('./fixtures/prima/swagger.current.json', import.meta.url), 'utf8'),
    );
    expect(JSON.stringify(swagger.paths['/user'])).toContain('"file"');
    const avatar = readFileSync(new URL('./fixtures/prima/test-avatar.png', import.meta.url));
    const response = await post(
      '/user',
      form({ name: 'Swagger Client', email: 'swagger@example.org' }, [
        { field: 'file', filename: 'test-avatar.png', bytes: avatar, type: 'image/png' },
      ]),
    );
    expect(response.statusCode).toBe(201);
    const image = await platform.app.inject({
      method: 'GET',
      url: new URL(response.json().avatar_url).pathname,
    });
    expect(image.statusCode).toBe(200);
    expect(image.rawPayload.equals(avatar)).toBe(true);
  });

  it('refuses an image under any other field name with a 400 naming the accepted ones, creating no user', async () => {
    const response = await post(
      '/user',
      form({ name: 'Pic', email: 'pic@example.org' }, [{ field: 'picture', filename: 'a.png', bytes: png }]),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors).toEqual([
      { field: 'body.picture', message: expect.stringContaining('"avatar" or "file"') },
    ]);
    const list = (await platform.app.inject({ url: '/users?limit=1000' })).json() as { email: string }[];
    expect(list.map((u) => u.email)).not.toContain('pic@example.org');
  });

  it('refuses a form whose avatar is not an image with 415, creating no user and storing nothing', async () => {
    const before = (await objects('avatars/')).length;
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const response = await post(
      '/user',
      form({ name: 'Sly', email: 'sly@example.org' }, [{ field: 'avatar', filename: 'x.png', bytes: svg }]),
    );
    expect(response.statusCode).toBe(415);
    const all = (await platform.app.inject({ method: 'GET', url: '/users?limit=1000' })).json();
    expect(all.some((u: { email: string }) => u.email === 'sly@example.org')).toBe(false);
    expect((await objects('avatars/')).length).toBe(before);
  });

  it('stores no avatar for a create refused as a duplicate', async () => {
    await createJson({ name: 'Dup', email: 'dup-avatar@example.org' });
    const before = (await objects('avatars/')).length;
    const again = await post(
      '/user',
      form({ name: 'Dup', email: 'dup-avatar@example.org' }, [
        { field: 'avatar', filename: 'a.png', bytes: png },
      ]),
    );
    expect(again.statusCode).toBe(409);
    expect((await objects('avatars/')).length).toBe(before);
  });

  it('refuses a duplicate e-mail with 409, whatever its case', async () => {
    await createJson({ name: 'Eve', email: 'eve@example.org' });
    const again = await createJson({ name: 'Eve Two', email: 'EVE@example.org' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('User already exists');
  });

  it('creates exactly one user when ten creates with one e-mail race', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => createJson({ name: `Racer ${i}`, email: 'race@example.org' })),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
    const all = (await platform.app.inject({ method: 'GET', url: '/users?limit=1000' })).json();
    expect(all.filter((u: { email: string }) => u.email === 'race@example.org')).toHaveLength(1);
  });
});

describe('GET /users', () => {
  it('answers a plain array, oldest first, and pages with a Link header', async () => {
    const all = (await platform.app.inject({ method: 'GET', url: '/users' })).json();
    expect(Array.isArray(all)).toBe(true);
    expect(all[0]).toEqual({
      id: expect.any(String),
      name: 'Ada Lovelace',
      email: 'ada@example.org',
      avatar_url: null,
      created_at: expect.any(String),
    });
    const seen: string[] = [];
    let url: string | undefined = '/users?limit=2';
    while (url) {
      const page = await platform.app.inject({ method: 'GET', url });
      seen.push(...page.json().map((u: { id: string }) => u.id));
      const link = page.headers.link as string | undefined;
      const next = link && /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      url = next ? next.replace(/^https?:\/\/[^/]+/, '') : undefined;
    }
    expect(seen).toEqual(all.map((u: { id: string }) => u.id));
  });

  it('refuses a bad limit or a forged cursor with 400', async () => {
    expect((await platform.app.inject({ method: 'GET', url: '/users?limit=1001' })).statusCode).toBe(400);
    expect((await platform.app.inject({ method: 'GET', url: '/users?limit=0' })).statusCode).toBe(400);
    const forged = await platform.app.inject({ method: 'GET', url: '/users?cursor=e30' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error).toBe('Invalid cursor');
    // Well-formed, but not a position in this listing: DynamoDB refuses it, and that is a 400 too.
    const foreign = Buffer.from(JSON.stringify({ pk: 'USER#x', listKey: 'other', createdKey: 'y' })).toString(
      'base64url',
    );
    const refused = await platform.app.inject({ method: 'GET', url: `/users?cursor=${foreign}` });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatch(/not a cursor this API returned/);
  });
});

describe('POST /upload', () => {
  const userId = async (email: string) => {
    const created = await createJson({ name: 'Up Loader', email });
    return created.json().id as string;
  };

  it('makes the image the user avatar (by e-mail or id) and removes the one it replaces', async () => {
    const id = await userId('up@example.org');
    const first = await post(
      '/upload',
      form({ email: 'UP@example.org' }, [{ field: 'file', filename: 'a.png', bytes: png }]),
    );
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      message: 'File uploaded successfully',
      file_url: `http://localhost:80/users/${id}/avatar`,
    });
    const [before] = await objects(`avatars/users/${id}/`);
    const second = await post(
      '/upload',
      form({ user_id: id }, [{ field: 'file', filename: 'b.jpg', bytes: jpeg }]),
    );
    expect(second.statusCode).toBe(200);
    const after = await objects(`avatars/users/${id}/`);
    expect(after).toHaveLength(1);
    expect(after[0]?.Key).not.toBe(before?.Key);
    const image = await platform.app.inject({ method: 'GET', url: `/users/${id}/avatar` });
    expect(image.headers['content-type']).toBe('image/jpeg');
    expect(image.rawPayload.equals(jpeg)).toBe(true);
    const listed = (await platform.app.inject({ method: 'GET', url: '/users?limit=1000' })).json();
    expect(listed.find((u: { id: string }) => u.id === id).avatar_url).toBe(
      `http://localhost:80/users/${id}/avatar`,
    );
  });

  it('removes the avatar it replaces when the swap landed and the SDK sent it again', async () => {
    const id = await userId('swap@example.org');
    const upload = (bytes: Buffer) =>
      post('/upload', form({ user_id: id }, [{ field: 'file', filename: 'a', bytes }]));
    expect((await upload(png)).statusCode).toBe(200);
    await withFaults([[commandOn('Update', 'USER#'), 'lands, then retried']], async () => {
      expect((await upload(jpeg)).statusCode).toBe(200);
    });
    expect(await objects(`avatars/users/${id}/`)).toEqual([
      expect.objectContaining({ Key: expect.stringMatching(/\.jpg$/) }),
    ]);
  });

  it('deletes the image it stored when the user cannot be pointed at it', async () => {
    const id = await userId('unswapped@example.org');
    await withFaults([[commandOn('Update', 'USER#'), 'fails']], async () => {
      const failed = await post(
        '/upload',
        form({ user_id: id }, [{ field: 'file', filename: 'a', bytes: png }]),
      );
      expect(failed.statusCode).toBe(503);
    });
    expect(await objects(`avatars/users/${id}/`)).toEqual([]);
  });

  it('stores an image without a user and answers a URL that serves it', async () => {
    const response = await post('/upload', form({}, [{ field: 'file', filename: 'w.webp', bytes: webp }]));
    expect(response.statusCode).toBe(200);
    const url = new URL(response.json().file_url);
    const image = await platform.app.inject({ method: 'GET', url: url.pathname });
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.rawPayload.equals(webp)).toBe(true);
  });

  it.each([
    ['no file part', form({ email: 'up@example.org' }), 400, 'No file part in the request'],
    [
      'an empty file name',
      form({}, [{ field: 'file', filename: '', bytes: png }]),
      400,
      'No file selected for uploading',
    ],
    [
      'an SVG, whatever it claims',
      form({}, [
        {
          field: 'file',
          filename: 'x.png',
          bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
          type: 'image/png',
        },
      ]),
      415,
      undefined,
    ],
    [
      'a text file named .jpg',
      form({}, [{ field: 'file', filename: 'x.jpg', bytes: Buffer.from('hello'), type: 'image/jpeg' }]),
      415,
      undefined,
    ],
    [
      'a file over the limit',
      form({}, [{ field: 'file', filename: 'big.png', bytes: Buffer.concat([png, Buffer.alloc(5000)]) }]),
      413,
      'A file is larger than 4096 bytes.',
    ],
    [
      'two files',
      form({}, [
        { field: 'file', filename: 'a.png', bytes: png },
        { field: 'file', filename: 'b.png', bytes: png },
      ]),
      413,
      'The form has more than 1 file(s).',
    ],
    [
      'eleven text fields',
      form(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, 'x'])), [
        { field: 'file', filename: 'a.png', bytes: png },
      ]),
      413,
      'The form has more than 10 text field(s).',
    ],
    [
      // A megabyte before the first boundary: within no part, so only the form's size bounds it.
      'a form larger than its parts can fill',
      (() => {
        const sent = form({}, [{ field: 'file', filename: 'a.png', bytes: png }]);
        return { ...sent, payload: Buffer.concat([Buffer.alloc(1024 * 1024, 'x'), sent.payload]) };
      })(),
      413,
      'The form is larger than the 997376 bytes its parts can fill.',
    ],
    [
      'an unknown user',
      form({ email: 'ghost@example.org' }, [{ field: 'file', filename: 'a.png', bytes: png }]),
      404,
      'User not found',
    ],
    [
      'an unknown user id',
      form({ user_id: 'nope' }, [{ field: 'file', filename: 'a.png', bytes: png }]),
      404,
      'User not found',
    ],
  ])('answers %s with a 4xx naming it', async (_case, body, status, error) => {
    const before = (await objects('avatars/')).length;
    const response = await post('/upload', body);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().error).toEqual(error ?? expect.any(String));
    expect((await objects('avatars/')).length).toBe(before);
  });

  it('answers a JSON upload with 400 "No file part in the request"', async () => {
    const response = await platform.app.inject({ method: 'POST', url: '/upload', payload: { file: 'x' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('No file part in the request');
  });
});

describe('avatars', () => {
  it('are private objects, served with nosniff', async () => {
    const id = (
      await post(
        '/user',
        form({ name: 'Pat', email: 'pat@example.org' }, [{ field: 'avatar', filename: 'p.png', bytes: png }]),
      )
    ).json().id;
    const [object] = await objects(`avatars/users/${id}/`);
    const head = await platform.aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: object?.Key }));
    expect(head.ContentType).toBe('image/png');
    const image = await platform.app.inject({ method: 'GET', url: `/users/${id}/avatar` });
    expect(image.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answer 404 for a user without one, and 400 for a malformed file name', async () => {
    const id = (await createJson({ name: 'No Pic', email: 'nopic@example.org' })).json().id;
    expect((await platform.app.inject({ method: 'GET', url: `/users/${id}/avatar` })).statusCode).toBe(404);
    expect((await platform.app.inject({ method: 'GET', url: '/avatars/../../etc/passwd' })).statusCode).toBe(
      404,
    );
    expect((await platform.app.inject({ method: 'GET', url: '/avatars/x.svg' })).statusCode).toBe(400);
  });
});
