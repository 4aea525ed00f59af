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
  /**
   * Holds every request that arrives from now on (recorded, unanswered) until the returned
   * function is called; then they are answered and later ones are not held. So "a job is in
   * flight" is a fact the test controls, not a latency guess.
   */
  hold(): () => void;
  /** Lets every held request through and holds no more (a no-op when not held). */
  release(): void;
  /** Resolves once `count` requests in all have arrived (`requests.length >= count`). */
  arrived(count: number): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** Requests wait at a gate while it is held; releasing it lets them all through. */
export class Gate {
  private held: Promise<void> | null = null;
  private open: () => void = () => {};

  /** Holds whoever passes from now on, until release(); returns the release. */
  hold(): () => void {
    if (!this.held) this.held = new Promise<void>((resolve) => (this.open = resolve));
    return () => this.release();
  }

  /** Lets every held request through and holds no more (a no-op when not held). */
  release(): void {
    this.held = null;
    this.open();
  }

  /** Null when not held (go on now), else a promise of the release. */
  pass(): Promise<void> | null {
    return this.held;
  }
}

/** Resolves waiters once a count reaches theirs. */
export class Arrivals {
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly current: () => number) {}

  /** Resolves once the count is at least `count`. */
  reach(count: number): Promise<void> {
    if (this.current() >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** Call after the count changes. */
  check(): void {
    const now = this.current();
    for (const w of [...this.waiters]) if (now >= w.count) this.waiters.splice(this.waiters.indexOf(w), 1), w.resolve();
  }
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RequestRecord[] = [];
  const gate = new Gate();
  const arrivals = new Arrivals(() => requests.length);
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: Date.now() });
    const held = gate.pass();
    arrivals.check();
    const answer = () => Promise.resolve(handler(req, res));
    (held ? held.then(answer) : answer()).catch((error) => {
      res.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hold: () => gate.hold(),
    release: () => gate.release(),
    arrived: (count) => arrivals.reach(count),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        gate.release(); // held requests end on their closed sockets, not never
      }),
  };
}

/** Serves `files` (path → bytes) with 200, anything else 404. */
export function serveFiles(files: Map<string, Buffer>, options: { contentType?: string } = {}): Handler {
  return (req, res) => {
    const body = files.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': options.contentType ?? 'image/jpeg', 'content-length': body.length }).end(body);
  };
}
