/**
 * --block-private-addresses: no connection to loopback, link-local, private, unique-local or
 * other non-public ranges. Checked twice: on IP literals before a hop is requested (so a
 * literal is refused without a connection attempt), and in a wrapped undici connector on the
 * socket's actual remote address (covers DNS names, rebinding and every redirect hop, since
 * each hop needs a connection).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { buildConnector } from 'undici';

export class BlockedAddressError extends Error {
  readonly code = 'COLLAGE_BLOCKED_ADDRESS';
  constructor(
    readonly address: string,
    readonly range: string,
  ) {
    super(`blocked: ${address} is a ${range} address (--block-private-addresses)`);
    this.name = 'BlockedAddressError';
  }
}

/** Test seam / escape hatch: addresses (with port) exempt from the block, e.g. an internal store. */
export type AddressAllow = (address: string, port: number) => boolean;

/** The ipaddr.js range name when `address` is not public unicast, else null. */
export function nonPublicRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns IPv4-mapped IPv6 (::ffff:127.0.0.1) into plain IPv4.
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'unparseable';
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/** Throws when `hostname` is an IP literal in a blocked range. Names are checked on connect. */
export function checkLiteralHost(hostname: string, port: number, allow?: AddressAllow): void {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (!isIP(bare)) return;
  const range = nonPublicRange(bare);
  if (!range) return;
  const address = ipaddr.process(bare).toString();
  if (!allow?.(address, port)) throw new BlockedAddressError(address, range);
}

export function guardedConnector(options: buildConnector.BuildOptions, allow?: AddressAllow): buildConnector.connector {
  const connect = buildConnector(options);
  return (opts, callback) => {
    connect(opts, (error, socket) => {
      if (error || !socket) {
        callback(error ?? new Error('no socket'), null);
        return;
      }
      const address = socket.remoteAddress ?? '';
      const range = nonPublicRange(address);
      if (range && !allow?.(ipaddr.process(address).toString(), socket.remotePort ?? 0)) {
        socket.destroy();
        callback(new BlockedAddressError(address, range), null);
        return;
      }
      callback(null, socket);
    });
  };
}
