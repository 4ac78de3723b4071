/** Query parameters: a list repeats the parameter (`run=a&run=b`); undefined leaves it out. */
export type Query = Record<string, string | readonly string[] | undefined>;

/** The one way the models talk to the server: `requestAPI` in the app, a fake in tests. */
export type RequestFn = <T>(
  endPoint: string,
  query?: Query,
  init?: RequestInit
) => Promise<T>;

/** An error answer from the nbvc server, with its status and message. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

export const NOT_FOUND = 404;
export const CONFLICT = 409;

/** The query string for `query` ('' when empty), with `?`. */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) {
      continue;
    }
    const values: readonly string[] =
      typeof value === 'string' ? [value] : value;
    for (const item of values) {
      params.append(name, item);
    }
  }
  const text = params.toString();
  return text.length > 0 ? `?${text}` : '';
}

/** A JSON POST body for `RequestFn`'s `init`. */
export function post(body: unknown): RequestInit {
  return { method: 'POST', body: JSON.stringify(body) };
}

/** The message of an error, for notifications. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
