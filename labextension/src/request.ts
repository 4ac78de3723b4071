import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API } from './api';
import { Query, RequestError, queryString } from './http';

/** The server's API prefix: every nbvc request goes through `requestAPI`. */
const PREFIX = ['nbvc', 'api'];

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
  query: Query = {},
  init: RequestInit = {}
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = apiUrl(endPoint, query, settings);
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

/**
 * The URL of an nbvc API route, for a link the browser follows itself (a download): the
 * session cookie authenticates it.
 */
export function apiUrl(
  endPoint: string,
  query: Query = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return (
    URLExt.join(settings.baseUrl, ...PREFIX, endPoint) + queryString(query)
  );
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
