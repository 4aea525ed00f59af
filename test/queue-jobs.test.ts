/** Job identity and failure classes (no Redis needed: pure functions). */
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { ImagesFailedError, ManifestError } from '../src/errors.js';
import { classifyFailure, jobError, renderJobId, renderOptionsFrom } from '../src/queue/jobs.js';

describe('render job ids', () => {
  const base = { manifest: '/orders/a.json', sha256: 'ab'.repeat(32) };
  it('depend on the manifest bytes, its path and the options, not on key order or secrets', () => {
    const a = renderJobId({ ...base, options: renderOptionsFrom({ dpi: 30, fetch: { retries: 1, downloadTimeout: undefined } }) });
    const b = renderJobId({ ...base, options: renderOptionsFrom({ fetch: { retries: 1, cacheDir: '/elsewhere', headers: { h: { authorization: 'x' } } }, dpi: 30 }) });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{40}$/);
    expect(renderJobId({ ...base, options: renderOptionsFrom({ dpi: 31, fetch: { retries: 1 } }) })).not.toBe(a);
    expect(renderJobId({ ...base, sha256: 'cd'.repeat(32), options: renderOptionsFrom({ dpi: 30, fetch: { retries: 1 } }) })).not.toBe(a);
    expect(renderJobId({ ...base, manifest: '/orders/b.json', options: renderOptionsFrom({ dpi: 30, fetch: { retries: 1 } }) })).not.toBe(a);
  });
});

describe('failure classes', () => {
  it('invalid manifests and 4xx images are permanent (UnrecoverableError); 5xx and network errors are retried', () => {
    const invalid = classifyFailure(new ManifestError('a.json', [{ path: 'colums', message: 'unknown key' }]));
    expect(invalid).toMatchObject({ exitCode: 2, permanent: true, reason: 'invalid manifest: colums: unknown key' });
    expect(jobError(invalid)).toBeInstanceOf(UnrecoverableError);
    const gone = classifyFailure(new ImagesFailedError([{ src: 'http://x/1.png', code: 'E_HTTP_404', reason: 'HTTP 404', status: 404 }], 2), 2);
    expect(gone).toMatchObject({ exitCode: 3, permanent: true });
    expect(gone.reason).toBe('1 of 2 images failed, nothing written: http://x/1.png: HTTP 404');
    const busy = classifyFailure(
      new ImagesFailedError(
        [
          { src: 'http://x/1.png', code: 'E_HTTP_503', reason: 'HTTP 503', status: 503 },
          { src: 'http://x/2.png', code: 'E_HTTP_404', reason: 'HTTP 404', status: 404 },
        ],
        2,
      ),
    );
    expect(busy).toMatchObject({ exitCode: 3, permanent: false });
    expect(jobError(busy)).not.toBeInstanceOf(UnrecoverableError);
    expect(classifyFailure(new ImagesFailedError([{ src: 'http://x/1.png', code: 'E_NETWORK', reason: 'connection closed by the server' }], 1)).permanent).toBe(false);
    expect(classifyFailure(new Error('boom'))).toMatchObject({ exitCode: 1, permanent: false, reason: 'boom' });
  });
});
