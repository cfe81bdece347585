import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * Where the A/B benchmarks' processes run. On this 2-vCPU VM the first CPU takes the interrupts and
 * runs slower and more unevenly than the second (a hashing loop pinned to each: 378–630 ms against
 * 360–387 ms, the same minute), and the scheduler leaves a busy process where it started, so an
 * unpinned run compared one side on the fast CPU with the other on the slow one, for the whole run
 * (P2's ratio came out 0.70 in one run, 0.86 in the next). So both processes under test run on the
 * last CPU, one after the other, and the load generator and the engine on the others.
 * `BENCH_PIN=0`, one CPU, or no `taskset` (util-linux) leaves placement to the scheduler.
 */
export interface Placement {
  /** Pins a process (all its threads) to the CPU the sides under test share. */
  underTest(pid: number): void;
  /** Pins a process (the load generator, the engine) to the other CPUs. */
  rest(pid: number): void;
  /** What was done, for the benchmark's printout. */
  note: string;
}

const pin = (cpus: string) => (pid: number) => {
  execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus, String(pid)], { stdio: 'ignore' });
};

function tasksetWorks(): boolean {
  try {
    execFileSync('taskset', ['--pid', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function placement(): Placement {
  const cpus = availableParallelism();
  const unpinned = { underTest() {}, rest() {} };
  if (process.env.BENCH_PIN === '0') return { ...unpinned, note: 'unpinned (BENCH_PIN=0)' };
  if (cpus < 2) return { ...unpinned, note: 'unpinned (one CPU)' };
  if (!tasksetWorks()) return { ...unpinned, note: 'unpinned (no taskset)' };
  const last = cpus - 1;
  return {
    underTest: pin(String(last)),
    rest: pin(last === 1 ? '0' : `0-${last - 1}`),
    note: `sides under test on CPU ${last}, load generator and engine on the others`,
  };
}
