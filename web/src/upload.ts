import { parseBody } from './api.js';

/** One file sent as multipart with its upload progress (fetch reports none): XMLHttpRequest. */
export function uploadWithProgress(
  path: string,
  file: File,
  headers: Record<string, string>,
  onProgress: (fraction: number) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () =>
      resolve({ status: request.status, body: parseBody(request.responseText) }),
    );
    // The server down, the connection cut or the request abandoned: status 0, reported as such.
    for (const failure of ['error', 'abort', 'timeout'])
      request.addEventListener(failure, () => resolve({ status: 0, body: null }));
    const form = new FormData();
    form.append('file', file);
    request.send(form);
  });
}
