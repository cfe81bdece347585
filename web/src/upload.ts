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
    request.addEventListener('load', () => {
      let body: unknown = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {}
      resolve({ status: request.status, body });
    });
    // The server down, or the connection cut: status 0, which the view reports as such.
    request.addEventListener('error', () => resolve({ status: 0, body: null }));
    const form = new FormData();
    form.append('file', file);
    request.send(form);
  });
}
