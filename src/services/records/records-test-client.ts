import { expect } from 'vitest';
import type { TestPlatform } from '../../local/test-platform.js';

/** The records API as a test drives it: multipart uploads, waiting for statuses, queries. */
export interface SentFile {
  name: string;
  content: string | Buffer;
}

export function multipartForm(files: SentFile[], field = 'file') {
  const boundary = '----records';
  const parts = files.flatMap(({ name, content }) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
  return {
    payload: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

export function recordsClient(platform: () => TestPlatform) {
  const get = async (headers: Record<string, string>, url: string) =>
    platform().app.inject({ method: 'GET', url, headers });
  return {
    async upload(headers: Record<string, string>, files: SentFile[]) {
      const body = multipartForm(files);
      const response = await platform().app.inject({
        method: 'POST',
        url: '/uploads',
        payload: body.payload,
        headers: { ...headers, ...body.headers },
      });
      expect(response.statusCode).toBe(202);
      return response.json() as { uploadId: string; fileName: string; status: string }[];
    },

    /** The upload's status once final (polls; fails the test after about 10 s). */
    async settled(headers: Record<string, string>, uploadId: string) {
      for (let i = 0; i < 500; i += 1) {
        const response = await get(headers, `/uploads/${uploadId}`);
        const status = response.statusCode === 200 ? response.json().status : 'unknown';
        if (!['receiving', 'queued', 'processing', 'unknown'].includes(status)) return response.json();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`upload ${uploadId} did not settle`);
    },

    records: async (headers: Record<string, string>, query: string) =>
      (await get(headers, `/records?${query}`)).json(),

    uploads: async (headers: Record<string, string>) =>
      (await get(headers, '/uploads?limit=100')).json().items,
  };
}
