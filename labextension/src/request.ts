import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API } from './tokens';

/** The server's API prefix: every nbvc request goes through `requestAPI`. */
const PREFIX = ['nbvc', 'api'];

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

/**
 * Call the nbvc REST API.
 *
 * @param endPoint - path below `/nbvc/api/`, e.g. `artifacts`
 * @param query - query parameters
 * @param init - fetch options (method, body)
 * @returns the parsed JSON answer
 * @throws RequestError with the server's message for error answers
 */
export async function requestAPI<T>(
  endPoint: string,
  query: Record<string, string> = {},
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url =
    URLExt.join(settings.baseUrl, ...PREFIX, endPoint) +
    URLExt.objectToQueryString(query);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  const data: unknown = text.length > 0 ? parseJSON(text) : null;
  if (!response.ok) {
    const message = isError(data) ? data.message : response.statusText;
    throw new RequestError(response.status, message);
  }
  return data as T;
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isError(data: unknown): data is API.IError {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as API.IError).message === 'string'
  );
}
