// Bench image server: a separate process (so its CPU is not charged to the client) serving
// bench/.data over loopback HTTP with a fixed latency per response.
// Usage: node bench/server.mjs <dir> <latencyMs>   → prints "PORT <n>" on stdout.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

const [dir = '.', latencyArg = '40'] = process.argv.slice(2);
const latency = Number(latencyArg);
const cache = new Map();
let requests = 0;

const server = http.createServer(async (req, res) => {
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
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`PORT ${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`bench server: ${requests} requests served\n`);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
