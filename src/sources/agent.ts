/**
 * The HTTP agent: an undici keep-alive pool per origin, HTTP/2 where the server offers it.
 *
 * HTTP/2 is negotiated in the TLS handshake (ALPN; undici's `allowH2`). undici sends one request
 * at a time on a connection unless told otherwise (`pipelining`, 1 by default), and for HTTP/1.1
 * it must stay 1 (pipelined requests queue behind each other, and servers handle them badly),
 * so each connection learns its protocol as it connects: an HTTP/2 one then carries up to
 * `h2Streams` requests at once. Every connection goes through one connector, the address guard's
 * with --block-private-addresses, so HTTP/2 gets the same checks as HTTP/1.1.
 */
import { Agent, Client, Pool, buildConnector, type Dispatcher } from 'undici';
import { guardedConnector } from './guard.js';
import { HostLimits } from './hosts.js';
import type { FetchOptions } from './types.js';

/** The host limits of each agent made here (an agent shared by a batch's jobs shares them too). */
const limitsOf = new WeakMap<Dispatcher, HostLimits>();

/** Requests at once per host for `dispatcher`: its own limits when made here, else per-host connections only. */
export function hostLimitsFor(dispatcher: Dispatcher, options: FetchOptions): HostLimits {
  let limits = limitsOf.get(dispatcher);
  if (!limits) {
    // A dispatcher from elsewhere: it never says what it negotiated, so every host gets `perHost`.
    limits = new HostLimits({ perHost: options.perHost, h2Streams: options.perHost, allowH2: false });
    limitsOf.set(dispatcher, limits);
  }
  return limits;
}

export function createAgent(options: FetchOptions): Dispatcher {
  const allowH2 = !options.http1;
  const limits = new HostLimits({ perHost: options.perHost, h2Streams: options.h2Streams, allowH2 });
  const connectOptions = { timeout: options.connectTimeout, allowH2, ...(options.ca !== undefined && { ca: options.ca }) };
  const connect = options.blockPrivateAddresses ? guardedConnector(connectOptions, options.allowAddress) : buildConnector(connectOptions);
  const agent = new Agent({
    // Connections per origin: HTTP/1.1 needs one per request in flight; HTTP/2 one in all
    // (more only if a server allows fewer streams than we send).
    connections: options.perHost,
    connectTimeout: options.connectTimeout,
    headersTimeout: options.headersTimeout,
    bodyTimeout: options.bodyTimeout,
    keepAliveTimeout: 10_000,
    allowH2,
    // HTTP/2 flow control: a connection's window bounds what is in flight on it, so 64 streams
    // of photos need far more than undici's 512 kB (at 100 ms a round trip that is 5 MB/s, and
    // the server queues the rest: Node's own server refused new streams, ENHANCE_YOUR_CALM,
    // beyond 10 MB queued). Bytes received unread are bounded by this window.
    initialWindowSize: 2 * 1024 * 1024,
    connectionWindowSize: 32 * 1024 * 1024,
    connect,
    factory: (origin, poolOptions) =>
      new Pool(origin, {
        ...poolOptions,
        factory: (clientOrigin, clientOptions) => {
          const key = new URL(String(clientOrigin)).origin;
          const client: Client = new Client(clientOrigin, {
            ...clientOptions,
            connect: (opts, callback) =>
              connect(opts, (...args) => {
                const socket = args[1];
                if (socket) {
                  const h2 = (socket as { alpnProtocol?: string | false }).alpnProtocol === 'h2';
                  if (h2) client.pipelining = options.h2Streams;
                  limits.connected(key, h2 ? 'h2' : 'h1');
                }
                callback(...args);
              }),
          });
          return client;
        },
      }),
  });
  limitsOf.set(agent, limits);
  return agent;
}
