/** Calls the documented API, as a script would; errors come back as RFC 9457 problems. */

export interface FieldError {
  field: string;
  message: string;
}

export type ApiResult<T> =
  | { ok: true; status: number; body: T; next?: string }
  | { ok: false; status: number; detail: string; errors: FieldError[] };

/** What a person is told when the server cannot be reached at all. */
export const serverDown = 'The server could not be reached. Is it running?';

/** The path of a `Link: <…>; rel="next"` header, for paging. */
function nextLink(header: string | null): string | undefined {
  const match = header ? /<([^>]+)>;\s*rel="next"/.exec(header) : null;
  if (!match?.[1]) return undefined;
  const url = new URL(match[1], location.href);
  return url.pathname + url.search;
}

export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    const form = body instanceof FormData;
    response = await fetch(path, {
      method,
      headers: body === undefined || form ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, detail: serverDown, errors: [] };
  }
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (response.ok) {
    const next = nextLink(response.headers.get('link'));
    return { ok: true, status: response.status, body: parsed as T, ...(next && { next }) };
  }
  return {
    ok: false,
    status: response.status,
    detail: String(parsed.detail ?? parsed.title ?? `The server answered ${response.status}.`),
    errors: Array.isArray(parsed.errors) ? (parsed.errors as FieldError[]) : [],
  };
}
