/**
 * CPUs and memory as a container limits them (src/machine.ts): parsed from cgroup files laid
 * out in a temp folder, and, where the test runs as root on cgroup v1, read by a child process
 * placed in a real cgroup with a CPU quota or a memory limit.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableCores, cgroupCpuQuota } from '../src/machine.js';
import { ROOT } from './support/cli.js';
import { useTempDirs } from './support/files.js';

describe('cgroup CPU quota', () => {
  const tempDir = useTempDirs();

  /** A fake root: /proc/self/cgroup as given, and files under sys/fs/cgroup. */
  async function fakeRoot(membership: string, files: Record<string, string>): Promise<string> {
    const root = await tempDir();
    await mkdir(path.join(root, 'proc', 'self'), { recursive: true });
    await writeFile(path.join(root, 'proc', 'self', 'cgroup'), membership);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, 'sys/fs/cgroup', file)), { recursive: true });
      await writeFile(path.join(root, 'sys/fs/cgroup', file), text);
    }
    return root;
  }

  it('reads cgroup v2 cpu.max on the process group and its parents, the smallest winning', async () => {
    expect(cgroupCpuQuota(await fakeRoot('0::/\n', { 'cpu.max': '150000 100000\n' }))).toBe(1.5);
    const nested = await fakeRoot('0::/jobs/collage\n', { 'cpu.max': 'max 100000\n', 'jobs/cpu.max': '200000 100000\n', 'jobs/collage/cpu.max': 'max 100000\n' });
    expect(cgroupCpuQuota(nested)).toBe(2);
    expect(cgroupCpuQuota(await fakeRoot('0::/\n', { 'cpu.max': 'max 100000\n' }))).toBeNull();
  });

  it('reads cgroup v1 cfs quota under cpu or cpu,cpuacct; -1 is no limit', async () => {
    const v1 = await fakeRoot('4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n', {
      'cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '50000\n',
      'cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupCpuQuota(v1)).toBe(0.5);
    // Docker without a cgroup namespace: the listed path is the host's, the mount shows the container's own group.
    const own = await fakeRoot('2:cpu:/docker/abc\n', { 'cpu/cpu.cfs_quota_us': '300000\n', 'cpu/cpu.cfs_period_us': '100000\n' });
    expect(cgroupCpuQuota(own)).toBe(3);
    const none = await fakeRoot('2:cpu:/\n', { 'cpu/cpu.cfs_quota_us': '-1\n', 'cpu/cpu.cfs_period_us': '100000\n' });
    expect(cgroupCpuQuota(none)).toBeNull();
    expect(cgroupCpuQuota(await tempDir())).toBeNull();
  });

  it('caps the cores at the quota, rounded down and at least 1', async () => {
    expect(availableCores(await fakeRoot('0::/\n', { 'cpu.max': '50000 100000\n' }))).toBe(1);
    expect(availableCores(await fakeRoot('0::/\n', { 'cpu.max': '6400000 100000\n' }))).toBe(os.availableParallelism());
    expect(availableCores(await fakeRoot('0::/\n', { 'cpu.max': 'max 100000\n' }))).toBe(os.availableParallelism());
  });
});

/** cgroup v1 controller folders this (root) process may create groups in, or null. */
function writableV1(controller: string): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes(controller));
  if (!line) return null;
  const dir = path.join('/sys/fs/cgroup', controller, line.split(':')[2]!);
  try {
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return null;
  }
}

/** Runs `script` (an ES module) in a child process placed in a new cgroup under `parent` with `limits` written. */
function inCgroup(parent: string, limits: Record<string, string>, script: string): string {
  const group = path.join(parent, `collage-test-${process.pid}`);
  mkdirSync(group);
  try {
    for (const [file, value] of Object.entries(limits)) writeFileSync(path.join(group, file), value);
    const command = `echo $$ > ${JSON.stringify(path.join(group, 'cgroup.procs'))} && exec "$0" --input-type=module -e "$1"`;
    return execFileSync('bash', ['-c', command, process.execPath, script], { cwd: ROOT, encoding: 'utf8' });
  } finally {
    rmdirSync(group);
  }
}

describe('in a real cgroup', () => {
  const cpu = writableV1('cpu');
  const memory = writableV1('memory');

  it.runIf(cpu !== null)('a CPU quota of half a CPU gives 1 core, whatever os.availableParallelism() says', () => {
    const out = inCgroup(
      cpu!,
      { 'cpu.cfs_period_us': '100000', 'cpu.cfs_quota_us': '50000' },
      `
      const { availableCores } = await import('./dist/machine.js');
      console.log(JSON.stringify({ cores: availableCores() }));`,
    );
    expect(JSON.parse(out)).toEqual({ cores: 1 });
  });

  it.runIf(memory !== null)('a 2 GiB memory limit runs one batch job at a time, with half of it as the budget', () => {
    const out = inCgroup(
      memory!,
      { 'memory.limit_in_bytes': String(2 * 1024 ** 3) },
      `
      const { defaultJobs } = await import('./dist/batch/schedule.js');
      const { defaultMaxMemory } = await import('./dist/memory.js');
      console.log(JSON.stringify({ jobs: defaultJobs(), budget: defaultMaxMemory() }));`,
    );
    expect(JSON.parse(out)).toEqual({ jobs: 1, budget: 1024 ** 3 });
  });
});
