/**
 * What this process may use of the machine: CPUs and memory, container limits included.
 *
 * os.availableParallelism() counts the CPUs the process may run on; Node 20's libuv 1.46 ignores
 * a cgroup CPU quota, and in a cgroup v1 group given half a CPU on the 2-core test VM Node 24.22
 * said 2 as well. So in a container given 2 CPUs on a 64-core host a job would start 64 PNG
 * workers and a 64-thread decoder pool. os.totalmem() is the host's RAM whatever the container's
 * limit; process.constrainedMemory() knows the limit.
 *
 * The command's entry (cli/bin.cts) loads it with require() before anything else (Node ≥ 20.19
 * requires ES modules synchronously), so it imports nothing but Node's own modules.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** CPUs to plan for: the affinity mask's count, capped by a cgroup CPU quota (rounded down, at least 1). */
export function availableCores(root = '/'): number {
  const quota = cgroupCpuQuota(root);
  return Math.max(1, Math.min(os.availableParallelism(), quota === null ? Infinity : Math.floor(quota)));
}

/** libuv's pool for the command (sharp runs one image per pool thread): a thread per core, at least libuv's own 4. */
export function threadPoolSize(): number {
  return Math.max(4, availableCores());
}

/** Bytes of memory to plan for: the machine's RAM, or the cgroup memory limit when lower. */
export function availableMemory(): number {
  const limit = process.constrainedMemory?.();
  return Math.min(os.totalmem(), limit && limit > 0 ? limit : Infinity);
}

/**
 * The smallest CPU quota (in CPUs) on the process's cgroup and its ancestors, v2 (`cpu.max`) or
 * v1 (`cpu.cfs_quota_us` / `cpu.cfs_period_us`); null when there is none or no cgroup to read.
 * A container usually sees its own cgroup as the root, so the root's files count too.
 */
export function cgroupCpuQuota(root = '/'): number | null {
  let membership: string;
  try {
    membership = fs.readFileSync(path.join(root, 'proc/self/cgroup'), 'utf8');
  } catch {
    return null;
  }
  let smallest: number | null = null;
  const consider = (cpus: number | null) => {
    if (cpus !== null && cpus > 0 && (smallest === null || cpus < smallest)) smallest = cpus;
  };
  for (const line of membership.split('\n')) {
    const [, controllers, group] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (group === undefined) continue;
    if (controllers === '') {
      for (const dir of upwards(path.join(root, 'sys/fs/cgroup'), group)) consider(readCpuMax(dir));
    } else if (controllers!.split(',').includes('cpu')) {
      for (const mount of ['cpu', 'cpu,cpuacct', 'cpuacct,cpu']) {
        for (const dir of upwards(path.join(root, 'sys/fs/cgroup', mount), group)) consider(readCfsQuota(dir));
      }
    }
  }
  return smallest;
}

/** `base/group`, then each parent up to `base` itself. */
function upwards(base: string, group: string): string[] {
  const dirs: string[] = [];
  for (let at = path.posix.normalize(`/${group}`); ; at = path.posix.dirname(at)) {
    dirs.push(path.join(base, at));
    if (at === '/') return dirs;
  }
}

/** v2 `cpu.max`: "max 100000" (no limit) or "<quota> <period>". */
function readCpuMax(dir: string): number | null {
  const text = readSmall(path.join(dir, 'cpu.max'));
  const [quota, period] = text?.trim().split(/\s+/) ?? [];
  return quota && quota !== 'max' ? Number(quota) / Number(period || 100_000) : null;
}

/** v1: a quota of -1 means no limit. */
function readCfsQuota(dir: string): number | null {
  const quota = Number(readSmall(path.join(dir, 'cpu.cfs_quota_us')));
  const period = Number(readSmall(path.join(dir, 'cpu.cfs_period_us')));
  return quota > 0 && period > 0 ? quota / period : null;
}

function readSmall(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
