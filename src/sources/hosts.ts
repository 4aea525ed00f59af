/**
 * Requests at once per host, by the protocol its connection speaks. HTTP/1.1 carries one request
 * per connection, so a host gets `perHost` at once (the agent opens that many connections).
 * HTTP/2 carries many streams on one connection, so a host that negotiated it (ALPN, over TLS)
 * gets `h2Streams` at once, on one connection. Until an `https:` host's first connection says
 * which (a TLS handshake, once per host), one request goes at a time: opening `perHost`
 * connections to learn that one would have done were the waste HTTP/2 avoids.
 *
 * Requests wait here, not in the agent's queue: a wait here can be given up (the photo's deadline,
 * the job's signal), and one per host keeps a slow host from holding the others' requests.
 */
export type Protocol = 'h1' | 'h2';

export interface HostLimitOptions {
  perHost: number;
  h2Streams: number;
  /** Offer HTTP/2 in the TLS handshake. */
  allowH2: boolean;
}

export class HostLimits {
  private readonly hosts = new Map<string, HostGate>();

  constructor(private readonly options: HostLimitOptions) {}

  /** The protocol `origin`'s connections speak, once one has connected. */
  protocol(origin: string): Protocol | undefined {
    return this.hosts.get(origin)?.protocol;
  }

  /** A connection to `origin` was made and negotiated `protocol`. */
  connected(origin: string, protocol: Protocol): void {
    this.gate(origin).learn(protocol, this.options);
  }

  /** Waits for a turn to send a request to `url`'s origin; call the returned function when its response is done with. */
  acquire(url: URL, signal?: AbortSignal): Promise<() => void> {
    return this.gate(url.origin).acquire(signal);
  }

  private gate(origin: string): HostGate {
    let gate = this.hosts.get(origin);
    if (!gate) {
      const known = !origin.startsWith('https:') || !this.options.allowH2;
      gate = new HostGate(known ? this.options.perHost : 1);
      this.hosts.set(origin, gate);
    }
    return gate;
  }
}

class HostGate {
  protocol: Protocol | undefined;
  private active = 0;
  private readonly waiting: { admit: () => void; signal?: AbortSignal; onAbort: () => void }[] = [];

  constructor(private capacity: number) {}

  learn(protocol: Protocol, options: HostLimitOptions): void {
    if (this.protocol === protocol) return;
    this.protocol = protocol;
    this.capacity = protocol === 'h2' ? options.h2Streams : options.perHost;
    this.next();
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const entry = {
        signal,
        admit: () => {
          signal?.removeEventListener('abort', entry.onAbort);
          this.active++;
          let held = true;
          resolve(() => {
            if (!held) return;
            held = false;
            this.active--;
            this.next();
          });
        },
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
      this.next();
    });
  }

  private next(): void {
    while (this.active < this.capacity && this.waiting.length > 0) this.waiting.shift()!.admit();
  }
}
