/**
 * How many jobs run at once, and how much memory each gets. The batch has one budget (`maxMemory`,
 * default half of the machine's RAM, or of a container's memory limit); each running job takes
 * a share of it and builds within that share (its poster, then its decodes: src/memory.ts), so
 * the jobs together stay within the budget. A large poster takes a larger share and holds
 * others back until it finishes.
 */
import { availableCores, availableMemory } from '../machine.js';
import { fixedJobBytes, MIN_DECODE_BYTES } from '../memory.js';

export { MemoryBudget } from '../memory.js';

const GiB = 1024 ** 3;

/** One per core, but no more than one per 1.5 GiB of RAM. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(availableCores(), Math.floor(availableMemory() / (1.5 * GiB))));
}

/**
 * The share of `budget` a job of this output size builds within, with `jobs` at once: an equal
 * share, or more when its poster needs it (all of the budget at most: it then runs alone).
 */
export function jobMemoryShare(budget: number, jobs: number, width: number, height: number): number {
  const equal = Math.floor(budget / Math.max(1, jobs));
  return Math.min(budget, Math.max(equal, fixedJobBytes(width, height, budget) + MIN_DECODE_BYTES));
}
