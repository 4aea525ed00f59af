/** Bodies take turns at being read (src/sources/turns.ts): the unit, then the loader against a real server. */
import diagnostics from 'node:diagnostics_channel';
import { setImmediate as turnOfTheLoop } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceLoader } from '../src/sources/index.js';
import { ReadTurns } from '../src/sources/turns.js';
import { startServer, type TestServer } from './support/server.js';
import { urlImage } from './sources/misbehaving.js';

/**
 * Resolves to whether `promise` has settled once everything already due has run: ReadTurns
 * hands out turns in promise callbacks, and these all run before the event loop's next turn.
 */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await turnOfTheLoop();
  return done;
}

describe('ReadTurns', () => {
  it('lets bodies that fit in its bytes read together, and makes the next wait for room', async () => {
    const turns = new ReadTurns(10, 10_000);
    const a = await turns.take(4);
    const b = await turns.take(5);
    const c = turns.take(3);
    expect(await settled(c)).toBe(false);
    a();
    expect(await settled(c)).toBe(true);
    b();
    (await c)();
  });

  it('gives a body larger than its bytes a turn alone', async () => {
    const turns = new ReadTurns(10, 10_000);
    const big = await turns.take(50);
    const small = turns.take(1);
    expect(await settled(small)).toBe(false);
    big();
    big(); // a second call gives nothing back twice
    const done = await small;
    expect(await settled(turns.take(9))).toBe(true);
    done();
  });

  it('keeps arrival order: a small body does not overtake a large one waiting', async () => {
    const turns = new ReadTurns(10, 10_000);
    const first = await turns.take(6);
    const order: string[] = [];
    const large = turns.take(8).then((done) => (order.push('large'), done));
    const small = turns.take(1).then((done) => (order.push('small'), done));
    expect(await settled(small)).toBe(false);
    first();
    (await large)();
    (await small)();
    expect(order).toEqual(['large', 'small']);
  });

  it('lets the next body start once one has read for longer than its patience', async () => {
    const turns = new ReadTurns(10, 60);
    const started = performance.now();
    const stalled = await turns.take(10);
    const next = await turns.take(10);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    next();
    stalled();
  });
});

describe('the loader reads bodies in turns', () => {
  const LARGE = 9 * 1024 * 1024; // over the 8 MB read at once: reads alone
  let server: TestServer;
  let releaseLarge: () => void = () => {};
  /** When the large body's headers were handed to the kernel: its turn began no sooner. */
  let largeHeadersSent: Promise<number>;
  beforeAll(async () => {
    let sent: (at: number) => void = () => {};
    largeHeadersSent = new Promise((resolve) => (sent = resolve));
    server = await startServer((req, res) => {
      if (req.url === '/large.jpg') {
        // Headers and 1 MB at once, the rest when the test says: a slow host mid-body.
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': LARGE });
        res.write(Buffer.alloc(1024 * 1024, 1), () => sent(performance.now()));
        releaseLarge = () => res.end(Buffer.alloc(LARGE - 1024 * 1024, 2));
        return;
      }
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 100_000 }).end(Buffer.alloc(100_000, 3));
    });
  });
  afterAll(() => server.close());

  it('reads a small body after a large one that came first, then beside it once that one is slow', async () => {
    const loader = createSourceLoader({ cacheDir: null });
    // undici announces each response's headers as it parses them; the loader takes the body's
    // turn in the promise callbacks that follow, all run before the loop's next turn.
    let largeHeadersIn: () => void = () => {};
    const largeHeadersSeen = new Promise<void>((resolve) => (largeHeadersIn = resolve));
    const onHeaders = (message: unknown) => {
      if ((message as { request: { path: string } }).request.path === '/large.jpg') largeHeadersIn();
    };
    diagnostics.subscribe('undici:request:headers', onHeaders);
    try {
      const large = loader.load(urlImage(`${server.url}/large.jpg`));
      const sentAt = await largeHeadersSent;
      await largeHeadersSeen;
      await turnOfTheLoop(); // its turn taken
      const small = await loader.load(urlImage(`${server.url}/small.jpg`, 1));
      const after = performance.now() - sentAt;
      // Without turns the 100 kB body is read ~25 ms after the large one's headers; with them it
      // waits out the large body's 100 ms of patience, and no longer: the large one is still
      // stalled (its rest is sent only below), so the small one being read at all shows that.
      expect(after).toBeGreaterThanOrEqual(95);
      expect(small.bytes.length).toBe(100_000);
      releaseLarge();
      const whole = await large;
      expect(whole.bytes.length).toBe(LARGE);
      expect(whole.bytes[LARGE - 1]).toBe(2);
    } finally {
      diagnostics.unsubscribe('undici:request:headers', onHeaders);
      await loader.close();
    }
  });
});
