import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** Why one HTTP attempt failed; `transient` failures are worth retrying on the same mirror. */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

const MAX_REDIRECTS = 5;
/** Host-name failures mean this mirror cannot be reached from here (e.g. offline): no point retrying it. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);

/** Node's network errors as FetchErrors. */
export function networkError(error: unknown): FetchError {
  if (error instanceof FetchError) return error;
  const e = error as NodeJS.ErrnoException;
  return new FetchError(e.code ? `${e.code} (${e.message})` : e.message, !UNREACHABLE.has(e.code ?? ''));
}

/** HTTP statuses that may pass if asked again: timeouts, rate limits and server errors. */
function transientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * GETs `url` with node's http/https, following redirects, and resolves with the response once its status is
 * 200, 206 or 416 (the caller reads the body). Other statuses reject with a FetchError. The connection is
 * abandoned after `timeoutMs` without any data, while connecting or while reading the body.
 */
export function httpGet(url: string, headers: Record<string, string>, timeoutMs: number, redirects = MAX_REDIRECTS): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : url.startsWith('http:') ? http : undefined;
    if (!client) return reject(new FetchError(`unsupported URL (only http and https): ${url}`, false));
    const request = client.get(url, { headers: { 'user-agent': 'yolo-ts', ...headers } }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects === 0) return reject(new FetchError(`more than ${MAX_REDIRECTS} redirects`, false));
        return resolve(httpGet(new URL(location, url).href, headers, timeoutMs, redirects - 1));
      }
      if (status === 200 || status === 206 || status === 416) return resolve(response);
      response.resume();
      reject(new FetchError(`HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`, transientStatus(status)));
    });
    request.setTimeout(timeoutMs, () => request.destroy(new FetchError(`no data for ${timeoutMs / 1000}s`, true)));
    request.on('error', (error) => reject(networkError(error)));
  });
}
