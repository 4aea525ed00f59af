/** Queue defaults, free of the Redis client: the CLI's help text needs them without loading it. */

/** The queue's name when none is given (`--queue`). */
export const DEFAULT_QUEUE = 'collage';
/** Tries per job in all, the first included. */
export const DEFAULT_ATTEMPTS = 3;
/** Exponential backoff base between tries, ms. */
export const DEFAULT_BACKOFF_MS = 2000;
