/** Real HTTP servers on 127.0.0.1 (ephemeral ports) for tests: no mocks. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RequestRecord {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface TestServer {
  url: string;
  /** Every request received, in arrival order. */
  requests: RequestRecord[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RequestRecord[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: Date.now() });
    Promise.resolve(handler(req, res)).catch((error) => {
      res.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Serves `files` (path → bytes) with 200, anything else 404. */
export function serveFiles(files: Map<string, Buffer>, options: { latencyMs?: number; contentType?: string } = {}): Handler {
  return async (req, res) => {
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const body = files.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': options.contentType ?? 'image/jpeg', 'content-length': body.length }).end(body);
  };
}
