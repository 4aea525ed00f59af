/**
 * Turns at reading response bodies. Requests go out many at once to hide the network's
 * latency, but bodies read all at once share the main thread and the bandwidth and all finish
 * late, together: 16 camera originals (3.7 MB each) over loopback all completed ~0.5 s after
 * their headers, and the first decode waited for every one of them. Here bodies take turns, in
 * the order their headers arrived, a few megabytes at a time, so the first photo is whole (and
 * decoding) while the others still stream into the kernel's socket buffers. A body still reading
 * after `patienceMs` (a slow host, a huge file) lets the next one start: a stalled body never
 * holds up the rest, and on a slow link every body soon reads at once, as without turns.
 *
 * Small photos never wait: 32 flickr-sized bodies (~230 kB, one per HTTP/1.1 connection) fit in
 * one turn's bytes together.
 */
export class ReadTurns {
  private reading = 0;
  private readonly waiting: { size: number; begin: (done: () => void) => void }[] = [];

  /**
   * `bytes`: body bytes read at once (one larger body still reads, alone);
   * `patienceMs`: how long a body keeps its share before the next may start beside it.
   */
  constructor(
    readonly bytes: number,
    readonly patienceMs: number,
  ) {}

  /** Waits for a turn to read a body of `size` bytes; call the function it resolves to when the body is read (or failed). */
  take(size: number): Promise<() => void> {
    return new Promise((begin) => {
      this.waiting.push({ size, begin });
      this.admit();
    });
  }

  private admit(): void {
    while (this.waiting.length > 0 && (this.reading === 0 || this.reading + this.waiting[0]!.size <= this.bytes)) {
      const { size, begin } = this.waiting.shift()!;
      this.reading += size;
      let held = true;
      const done = () => {
        if (!held) return;
        held = false;
        clearTimeout(timer);
        this.reading -= size;
        this.admit();
      };
      const timer = setTimeout(done, this.patienceMs);
      timer.unref();
      begin(done);
    }
  }
}
