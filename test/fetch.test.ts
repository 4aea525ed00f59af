/** Fetching against a real misbehaving server on 127.0.0.1: retries, timeouts, caps. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageError } from '../src/errors.js';
import { createSourceLoader, type FetchOptions } from '../src/sources/index.js';
import { parseRetryAfter, retryDelay } from '../src/sources/retry.js';
import { solidImage } from './support/images.js';
import { startMisbehaving, urlImage, type Misbehaving } from './sources/misbehaving.js';

/**
 * Quick retries. The timeouts stay long (the defaults) unless a test is about one: a loaded
 * machine must not turn a slow answer into a timeout. A deadline a test checks is short, and
 * its server never answers in time (silent, trickling, endless), so the reason proves it fired.
 */
const FAST: Partial<FetchOptions> = {
  retries: 2,
  retryBaseDelay: 10,
  retryMaxDelay: 50,
};

let server: Misbehaving;
let png: Buffer;
beforeAll(async () => {
  png = await solidImage([200, 30, 30], 8, 8, 'png');
  server = await startMisbehaving(png);
});
afterAll(() => server.close());

async function load(path: string, options: Partial<FetchOptions> = {}) {
  const loader = createSourceLoader({ ...FAST, ...options });
  try {
    return { source: await loader.load(urlImage(`${server.url}${path}`)) };
  } finally {
    await loader.close();
  }
}

async function failure(path: string, options: Partial<FetchOptions> = {}) {
  const error = await load(path, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  return { error: error as ImageError };
}

describe('retries', () => {
  it('500, 500, 200 ends in success after three attempts', async () => {
    const { source } = await load('/500-500-200.png');
    expect(source.bytes.equals(png)).toBe(true);
    expect(source.attempts).toBe(3);
    expect(server.count('/500-500-200.png')).toBe(3);
  });

  it('429 with Retry-After: 1 waits at least a second, then succeeds', async () => {
    const { source } = await load('/429-then-200.png');
    expect(source.attempts).toBe(2);
    const hits = server.requests.filter((r) => r.path === '/429-then-200.png');
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(995);
  });

  it('caps a long Retry-After', async () => {
    // Uncapped, the second attempt would wait an hour: the test's own timeout would end it.
    const { source } = await load('/429-long.png', { retryAfterMax: 200 });
    expect(source.attempts).toBe(2);
    const hits = server.requests.filter((r) => r.path === '/429-long.png');
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(195);
  });

  it('parses Retry-After in seconds and HTTP-date form; backoff is full jitter, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    const o = { retryBaseDelay: 100, retryMaxDelay: 1000, retryAfterMax: 5000 };
    expect(retryDelay(1, o, undefined, () => 1)).toBe(100);
    expect(retryDelay(3, o, undefined, () => 1)).toBe(400);
    expect(retryDelay(10, o, undefined, () => 1)).toBe(1000);
    expect(retryDelay(3, o, undefined, () => 0)).toBe(0);
    expect(retryDelay(1, o, 60_000)).toBe(5000);
  });
});

describe('failures end with the right reason (and end: a hang would hit the test timeout)', () => {
  it('404 is not retried', async () => {
    const { error } = await failure('/404.png');
    expect(error.reason).toBe('HTTP 404');
    expect(error.attempts).toBe(1);
    expect(error.status).toBe(404);
  });

  it('503 forever gives up after the retries', async () => {
    const { error } = await failure('/503.png');
    expect(error.reason).toBe('HTTP 503');
    expect(error.attempts).toBe(3);
  });

  it('a redirect loop is detected', async () => {
    const { error } = await failure('/loop-a');
    expect(error.reason).toMatch(/redirect loop/);
    expect(error.attempts).toBe(1);
  });

  it('redirects are bounded', async () => {
    const { error } = await failure('/chain', { maxRedirects: 3 });
    expect(error.reason).toBe('too many redirects (more than 3)');
  });

  it('a connection reset mid-body is retried, then reported', async () => {
    const { error } = await failure('/reset.png', { retries: 1 });
    expect(error.reason).toBe('connection closed by the server');
    expect(error.attempts).toBe(2);
  });

  it('a trickling body is cut off by the download deadline', async () => {
    // A byte every 50 ms of 100 kB: it would take 80 minutes.
    const { error } = await failure('/trickle.png', { retries: 0, downloadTimeout: 600 });
    expect(error.reason).toBe('download took longer than 0.6 s');
  });

  it('--download-timeout bounds the photo over all its attempts: a trickle is not retried after it', async () => {
    const { error } = await failure('/trickle.png', { retries: 3, downloadTimeout: 600 });
    expect(error.reason).toBe('download took longer than 0.6 s');
    expect(error.attempts).toBe(1);
  });

  it("a backoff that would outlast the photo's deadline is not waited: the failure is reported as it was", async () => {
    const { error } = await failure('/429-forever.png', { retries: 3, retryAfterMax: 60_000, downloadTimeout: 1000 });
    expect(error.reason).toBe('HTTP 429');
    expect(error.attempts).toBe(1);
  });

  it('a host that timed out gets no more retries in this job, like one that refused', async () => {
    const loader = createSourceLoader({ ...FAST, retries: 2, headersTimeout: 300, downloadTimeout: 60_000 });
    try {
      const errors: ImageError[] = [];
      for (let i = 0; i < 3; i++) await loader.load(urlImage(`${server.url}/silent.png?${i}`, i)).catch((e: ImageError) => errors.push(e));
      expect(errors.map((e) => e.reason)).toEqual(Array(3).fill('no response within 0.3 s'));
      expect(errors.map((e) => e.attempts)).toEqual([3, 1, 1]);
    } finally {
      await loader.close();
    }
  });

  it('a server that never answers hits the headers timeout', async () => {
    const { error } = await failure('/silent.png', { retries: 0, headersTimeout: 300 });
    expect(error.reason).toBe('no response within 0.3 s');
  });

  it('an endless body is aborted at the size cap with flat memory', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const { error } = await failure('/endless.png', { maxBytes: 4 * 1024 * 1024 });
      expect(error.reason).toBe('too large: more than the 4.0 MB limit');
      expect(error.attempts).toBe(1);
    } finally {
      clearInterval(sampler);
    }
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a declared Content-Length over the cap is refused before the body', async () => {
    const { error } = await failure('/ok.png', { maxBytes: 10 });
    expect(error.reason).toMatch(/^too large: \d+ B exceeds the 10 B limit$/);
  });

  it('a refused connection is retried once per job: a dead host costs one attempt per later image', async () => {
    const dead = await startMisbehaving(png);
    const deadUrl = dead.url;
    await dead.close();
    const loader = createSourceLoader({ ...FAST, retries: 3 });
    try {
      const errors: ImageError[] = [];
      for (let i = 0; i < 4; i++) {
        await loader.load(urlImage(`${deadUrl}/${i}.png`, i)).catch((e: ImageError) => errors.push(e));
      }
      expect(errors.map((e) => e.reason)).toEqual(Array(4).fill('connection refused'));
      expect(errors.map((e) => e.attempts)).toEqual([4, 1, 1, 1]);
    } finally {
      await loader.close();
    }
  });

  it('the per-job retry budget bounds retries across images', async () => {
    const loader = createSourceLoader({ ...FAST, retries: 5, retryBudget: 2 });
    const before = server.count('/503.png');
    try {
      for (let i = 0; i < 3; i++) await loader.load(urlImage(`${server.url}/503.png`, i)).catch(() => {});
    } finally {
      await loader.close();
    }
    expect(server.count('/503.png') - before).toBe(5);
  });
});
