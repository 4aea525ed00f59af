// Bench image server: a separate process (so its CPU is not charged to the client) serving
// bench/.data over loopback HTTP with a fixed latency per response.
// Usage: node bench/server.mjs <dir> <latencyMs> [<key.pem> <cert.pem>]   → prints "PORT <n>" on stdout.
// With a key and certificate: HTTPS, HTTP/2 or HTTP/1.1 as the client's ALPN asks.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import path from 'node:path';

const [dir = '.', latencyArg = '40', keyFile, certFile] = process.argv.slice(2);
const latency = Number(latencyArg);
const cache = new Map();
let requests = 0;

const handler = async (req, res) => {
  requests++;
  const started = Date.now();
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const file = path.join(dir, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
  let body = cache.get(file);
  if (!body) {
    try {
      body = await readFile(file);
      cache.set(file, body);
    } catch {
      body = null;
    }
  }
  const wait = latency - (Date.now() - started);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  if (!body) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
};
const server = keyFile
  ? http2.createSecureServer(
      { key: readFileSync(keyFile), cert: readFileSync(certFile), allowHTTP1: true, maxSessionMemory: 256, settings: { maxConcurrentStreams: 128 } },
      handler,
    )
  : http.createServer(handler);
server.keepAliveTimeout = 60_000;
const sessions = new Set();
server.on('session', (session) => {
  sessions.add(session);
  session.on('close', () => sessions.delete(session));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`bench server: ${requests} requests served\n`);
  server.closeAllConnections?.();
  for (const session of sessions) session.destroy();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
