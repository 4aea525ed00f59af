/**
 * Type tests of the public API (src/index.ts), as the README's "Library" section documents it.
 * Checked by tsc (`vitest --typecheck`, project `types`); nothing here runs.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  batch,
  build,
  type CollageError,
  ExitCode,
  type ImagesFailedError,
  type ManifestError,
  plan,
  validate,
  type BatchEvent,
  type BatchOptions,
  type BatchReport,
  type BatchSummary,
  type BuildOptions,
  type BuildReport,
  type BuildWarning,
  type CollageSpec,
  type ImageErrorCode,
  type ImageFailure,
  type JobReport,
  type JobStatus,
  type LockMode,
  type ManifestOverrides,
  type ManifestSource,
  type OutputFormat,
  type Plan,
  type PlanOptions,
  type ProgressEvent,
  type ValidateOptions,
} from '../src/index.js';

type AllFormats = 'png' | 'jpeg' | 'tiff' | 'webp' | 'pdf';

describe('output formats', () => {
  it('are the five the README lists', () => {
    expectTypeOf<OutputFormat>().toEqualTypeOf<AllFormats>();
    expectTypeOf<BuildReport['output']['format']>().toEqualTypeOf<AllFormats>();
    expectTypeOf<Plan['output']['format']>().toEqualTypeOf<AllFormats>();
    expectTypeOf<Extract<ProgressEvent, { type: 'encode' }>['format']>().toEqualTypeOf<AllFormats>();
    // @ts-expect-error: GIF is not an output format
    const gif: OutputFormat = 'gif';
    void gif;
  });
});

describe('build()', () => {
  it('takes a manifest path or object and options, and resolves to a BuildReport', () => {
    expectTypeOf(build).parameters.toEqualTypeOf<[manifest: ManifestSource, options?: BuildOptions]>();
    expectTypeOf(build).returns.toEqualTypeOf<Promise<BuildReport>>();
    expectTypeOf<ManifestSource>().toEqualTypeOf<string | Record<string, unknown>>();
    expectTypeOf(build).toBeCallableWith('poster.json');
    expectTypeOf(build).toBeCallableWith({ size: { width: 3600, height: 2400 }, images: ['a.jpg'] }, { output: 'poster.jpg', dpi: 150 });
    expectTypeOf(build).toBeCallableWith('poster.json', {
      fetch: { concurrency: 8, cacheDir: null },
      maxPixels: 120e6,
      maxMemory: 2 ** 30,
      cellCache: { dir: '/tmp/cells' },
      signal: new AbortController().signal,
      jobTimeout: 60_000,
      onProgress: (event) => expectTypeOf(event).toEqualTypeOf<ProgressEvent>(),
      recordInputs: true,
    });
  });

  it('options extend the manifest overrides', () => {
    expectTypeOf<BuildOptions>().toExtend<ManifestOverrides>();
    expectTypeOf<BuildOptions['onProgress']>().toEqualTypeOf<((event: ProgressEvent) => void) | undefined>();
  });

  it('reports what it wrote, the images, timings (ms) and warnings', () => {
    expectTypeOf<BuildReport['output']>().toEqualTypeOf<{ path: string; format: OutputFormat; width: number; height: number; dpi: number; bytes: number; bandsReused?: number }>();
    expectTypeOf<BuildReport['images']['failed']>().toEqualTypeOf<ImageFailure[]>();
    expectTypeOf<ImageFailure>().toEqualTypeOf<{ src: string; code: ImageErrorCode; reason: string; attempts?: number; status?: number }>();
    expectTypeOf<'E_HTTP_404'>().toExtend<ImageErrorCode>();
    expectTypeOf<BuildReport['timings']>().toHaveProperty('total').toEqualTypeOf<number>();
    expectTypeOf<BuildReport['warnings']>().toEqualTypeOf<BuildWarning[]>();
    expectTypeOf<BuildWarning>().toHaveProperty('message').toEqualTypeOf<string>();
  });

  it('rejects what it cannot take', () => {
    // @ts-expect-error: a manifest is needed
    void build();
    // @ts-expect-error: a manifest is a path or an object
    void build(42);
    // @ts-expect-error: dpi is a number
    void build('poster.json', { dpi: '300' });
    // @ts-expect-error: no such option
    void build('poster.json', { resolution: 300 });
    // @ts-expect-error: fetch options are named, not a number
    void build('poster.json', { fetch: 8 });
  });
});

describe('plan()', () => {
  it('resolves to a Plan with placements', () => {
    expectTypeOf(plan).parameters.toEqualTypeOf<[manifest: ManifestSource, options?: PlanOptions]>();
    expectTypeOf(plan).returns.toEqualTypeOf<Promise<Plan>>();
    expectTypeOf<PlanOptions>().toExtend<ManifestOverrides>();
    expectTypeOf(plan).toBeCallableWith({ size: { width: 3600, height: 2400 }, images: ['a.jpg', 'b.jpg'] }, { output: 'x.png' });
    expectTypeOf<Plan['placements'][number]>().toHaveProperty('focus').toEqualTypeOf<[number, number] | 'auto'>();
    expectTypeOf<Plan['canvas']>().toEqualTypeOf<{ width: number; height: number; dpi: number; background: string }>();
  });

  it('rejects build-only options', () => {
    // @ts-expect-error: plan() writes nothing, so it has no progress callback
    void plan('poster.json', { onProgress: () => {} });
  });
});

describe('validate()', () => {
  it('resolves to the normalised spec', () => {
    expectTypeOf(validate).parameters.toEqualTypeOf<[manifest: ManifestSource, options?: ValidateOptions]>();
    expectTypeOf(validate).returns.toEqualTypeOf<Promise<CollageSpec>>();
    expectTypeOf<ValidateOptions>().toExtend<ManifestOverrides>();
    expectTypeOf(validate).toBeCallableWith('poster.json');
    expectTypeOf(validate).toBeCallableWith({ images: ['a.jpg'] }, { output: 'x.png', format: 'pdf' });
    expectTypeOf<CollageSpec['format']>().toEqualTypeOf<OutputFormat>();
    // @ts-expect-error: a manifest is a path or an object
    void validate(['poster.json']);
  });
});

describe('batch()', () => {
  it('takes manifest files or folders and resolves to a BatchReport', () => {
    expectTypeOf(batch).parameters.toEqualTypeOf<[inputs: string[], options?: BatchOptions]>();
    expectTypeOf(batch).returns.toEqualTypeOf<Promise<BatchReport>>();
    expectTypeOf(batch).toBeCallableWith(['/srv/orders'], {
      jobs: 4,
      force: false,
      lock: 'skip',
      signal: new AbortController().signal,
      onEvent: (event) => expectTypeOf(event).toEqualTypeOf<BatchEvent>(),
      exclude: ['drafts/**'],
    });
    expectTypeOf<LockMode>().toEqualTypeOf<'wait' | 'skip'>();
  });

  it('reports jobs, a summary and an exit code', () => {
    expectTypeOf<BatchReport['jobs']>().toEqualTypeOf<JobReport[]>();
    expectTypeOf<BatchReport['summary']>().toEqualTypeOf<BatchSummary>();
    expectTypeOf<BatchSummary>().toEqualTypeOf<{ total: number; built: number; skipped: number; failed: number; invalid: number; cancelled: number }>();
    expectTypeOf<JobStatus>().toEqualTypeOf<'built' | 'skipped' | 'failed' | 'invalid' | 'cancelled'>();
    expectTypeOf<JobReport['status']>().toEqualTypeOf<JobStatus>();
    expectTypeOf<JobReport['output']>().toEqualTypeOf<string | null>();
    expectTypeOf<JobReport['exitCode']>().toEqualTypeOf<0 | 1 | 2 | 3 | 4>();
    expectTypeOf<BatchReport['exitCode']>().toExtend<0 | 1 | 2 | 3 | 4>();
  });

  it('rejects what it cannot take', () => {
    // @ts-expect-error: inputs are an array
    void batch('orders');
    // @ts-expect-error: batch outputs come from each manifest, not one option
    void batch(['orders'], { output: 'x.png' });
    // @ts-expect-error: lock is 'wait' or 'skip'
    void batch(['orders'], { lock: 'block' });
  });
});

describe('errors', () => {
  it('carry their exit code', () => {
    expectTypeOf<ManifestError>().toExtend<CollageError>();
    expectTypeOf<ImagesFailedError>().toExtend<CollageError>();
    expectTypeOf<CollageError['exitCode']>().toEqualTypeOf<ExitCode>();
    expectTypeOf<ExitCode>().toEqualTypeOf<0 | 1 | 2 | 3 | 4>();
    expectTypeOf(ExitCode.usage).toEqualTypeOf<2>();
    expectTypeOf<ManifestError['problems'][number]>().toEqualTypeOf<{ path: string; message: string }>();
    expectTypeOf<ImagesFailedError['failures']>().toEqualTypeOf<ImageFailure[]>();
  });
});
