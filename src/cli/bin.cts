#!/usr/bin/env node
/**
 * The `collage` command's entry: sizes libuv's thread pool, then runs the CLI (index.ts).
 *
 * sharp decodes and encodes on libuv's pool, one image per pool thread (on glibc Linux libvips
 * gives each image a single thread: sharp.concurrency() is 1), and the pool has 4 threads unless
 * UV_THREADPOOL_SIZE says otherwise, so a 16-core machine would decode 4 photos at a time.
 * libuv reads the variable once, when the pool starts. On Node 20 an ES module entry is already
 * too late for that (the ESM loader reads files through the pool); a CommonJS entry is not.
 * A value the user set is kept. Cores as machine.ts counts them: a container's CPU quota included.
 */
import { threadPoolSize } from '../machine.js';

if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(threadPoolSize());

void import('./index.js');
