import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How one request to a path goes wrong: an HTTP status, a connection cut after `cutAfter` body bytes, or no answer. */
export type Fault = number | { cutAfter: number } | 'stall';

export interface FileServer {
  /** `http://127.0.0.1:<port>`; a file `files['/a/b.gz']` is at `${url}/a/b.gz`. */
  url: string;
  /** Every request, in order: its path and Range header. */
  requests: { path: string; range?: string }[];
  /** Queues faults for the next requests to `path`, one fault per request; later requests are served. */
  fail(path: string, ...faults: Fault[]): void;
  close(): Promise<void>;
}

function sendBody(res: ServerResponse, body: Uint8Array, fault: Fault | undefined): void {
  if (typeof fault === 'object') {
    res.write(body.subarray(0, fault.cutAfter), () => res.socket?.destroy());
  } else {
    res.end(body);
  }
}

/**
 * A real HTTP server on 127.0.0.1 serving `files` (path → bytes), for tests of downloads: it answers Range and
 * If-Range requests (ETag = sha1 of the file) as a static file server does, 404 for unknown paths, and plays
 * the faults queued with `fail`.
 */
export async function serveFiles(files: Record<string, Uint8Array>): Promise<FileServer> {
  const faults = new Map<string, Fault[]>();
  const requests: FileServer['requests'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const range = req.headers.range;
    requests.push({ path, ...(range ? { range } : {}) });
    const fault = faults.get(path)?.shift();
    if (fault === 'stall') return; // never answer: the client's timeout must fire
    if (typeof fault === 'number') {
      res.writeHead(fault).end();
      return;
    }
    const body = files[path];
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    const match = /^bytes=(\d+)-$/.exec(range ?? '');
    const ifRange = req.headers['if-range'];
    if (match && (!ifRange || ifRange === etag)) {
      const start = Number(match[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { etag, 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
      return sendBody(res, body.subarray(start), fault);
    }
    res.writeHead(200, { etag, 'content-length': body.length, 'accept-ranges': 'bytes' });
    sendBody(res, body, fault);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (path, ...list) => faults.set(path, [...(faults.get(path) ?? []), ...list]),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
