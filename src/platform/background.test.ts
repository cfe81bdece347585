import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startBackgroundTasks } from './background.js';

const log = pino({ level: 'silent' });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('background tasks', () => {
  it('runs a task with no interval once at start, and never again', async () => {
    let runs = 0;
    const running = startBackgroundTasks(
      [{ name: 'sweep', intervalMs: 0, run: async () => void runs++ }],
      log,
    );
    await pause(50);
    await running.stop();
    expect(runs).toBe(1);
  });

  it('runs nothing for a schedule with no interval (it waits for its first interval)', async () => {
    let runs = 0;
    const running = startBackgroundTasks(
      [{ name: 'schedule', intervalMs: 0, skipFirstRun: true, run: async () => void runs++ }],
      log,
    );
    await pause(50);
    await running.stop();
    expect(runs).toBe(0);
  });

  it('runs at start and on every interval, and survives a failed run', async () => {
    let runs = 0;
    const running = startBackgroundTasks(
      [
        {
          name: 'flaky',
          intervalMs: 20,
          run: async () => {
            runs += 1;
            if (runs === 1) throw new Error('first run fails');
          },
        },
      ],
      log,
    );
    await pause(110);
    await running.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
