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

/**
 * The answer's JSON, or `{}` when it is not JSON: a proxy or CDN in front of the API (CloudFront's
 * 502 and 504 pages) answers in HTML, and a view must still say what happened, not throw.
 */
export function parseBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What to tell a person about a refused request: the problem's detail, or the status. */
export function problemDetail(status: number, body: Record<string, unknown>): string {
  return String(body.detail ?? body.title ?? `The server answered ${status}.`);
}

/**
 * One request to the API. The answer is parsed as JSON, or kept as text (`as: 'text'`, for CSV); a
 * refusal comes back with the problem's detail and field errors, a network failure as `serverDown`.
 */
export async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  as: 'json' | 'text' = 'json',
): Promise<ApiResult<T>> {
  let response: Response;
  let text: string;
  try {
    const form = body instanceof FormData;
    response = await fetch(path, {
      method,
      headers: body === undefined || form ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    });
    // Read inside the guard: a connection cut while the body streams is the server gone too.
    text = await response.text();
  } catch {
    return { ok: false, status: 0, detail: serverDown, errors: [] };
  }
  const parsed = parseBody(text);
  if (response.ok) {
    const next = nextLink(response.headers.get('link'));
    const answer = (as === 'text' ? text : parsed) as T;
    return { ok: true, status: response.status, body: answer, ...(next && { next }) };
  }
  return {
    ok: false,
    status: response.status,
    detail: problemDetail(response.status, parsed),
    errors: Array.isArray(parsed.errors) ? (parsed.errors as FieldError[]) : [],
  };
}
