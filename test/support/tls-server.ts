/**
 * A real HTTPS server on 127.0.0.1 that speaks HTTP/2 and HTTP/1.1 (ALPN picks), with a
 * self-signed certificate made for it by openssl (for 127.0.0.1 and localhost). Counts TLS
 * connections, HTTP/2 sessions and streams, and the most streams open at once on one session.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TlsCertificate {
  key: Buffer;
  cert: Buffer;
}

let made: TlsCertificate | undefined;

/** One self-signed certificate per test process (an EC key: quick to make). */
export function selfSignedCertificate(): TlsCertificate {
  if (made) return made;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'collage-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    made = { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type TlsHandler = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void | Promise<void>;

export interface TlsRequestRecord {
  path: string;
  /** '2.0' or '1.1'. */
  httpVersion: string;
}

export interface TlsTestServer {
  /** https://127.0.0.1:port */
  url: string;
  port: number;
  cert: Buffer;
  requests: TlsRequestRecord[];
  /** TLS connections accepted (either protocol). */
  connections: number;
  /** HTTP/2 sessions, and per session the most streams open at once. */
  sessions: number;
  maxStreamsPerSession: number[];
  close(): Promise<void>;
}

export async function startTlsServer(handler: TlsHandler): Promise<TlsTestServer> {
  const { key, cert } = selfSignedCertificate();
  const server = http2.createSecureServer({ key, cert, allowHTTP1: true }, (req, res) => {
    state.requests.push({ path: req.url, httpVersion: req.httpVersion });
    Promise.resolve(handler(req, res)).catch((error) => res.stream?.destroy(error as Error) ?? req.socket.destroy());
  });
  const open = new Set<http2.ServerHttp2Session>();
  const sockets = new Set<{ destroy(): void }>();
  server.on('secureConnection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => {
    const index = state.sessions++;
    state.maxStreamsPerSession[index] = 0;
    open.add(session);
    let streams = 0;
    session.on('stream', (stream) => {
      streams++;
      state.maxStreamsPerSession[index] = Math.max(state.maxStreamsPerSession[index]!, streams);
      stream.on('close', () => streams--);
    });
    session.on('close', () => open.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: TlsTestServer = {
    url: `https://127.0.0.1:${port}`,
    port,
    cert,
    requests: [],
    connections: 0,
    sessions: 0,
    maxStreamsPerSession: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of open) session.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return state;
}
