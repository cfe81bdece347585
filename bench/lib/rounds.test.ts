import { expect, it, describe as suite } from 'vitest';
import {
  acrossLaunches,
  alternate,
  describe,
  type Figure,
  type LaunchedPair,
  median,
  medianOfRatios,
  meetsGoal,
  roundSettings,
} from './rounds.js';

// How the benchmarks turn rounds into a figure. No timing here: the sides are made-up numbers.

suite('median', () => {
  it('takes the middle of an odd count and the mean of the two middles of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('leaves the rounds it is given in their order', () => {
    const rounds = [3, 1, 2];
    median(rounds);
    expect(rounds).toEqual([3, 1, 2]);
  });
});

suite('medianOfRatios', () => {
  it('pairs each round of one side with the same round of the other', () => {
    // The machine halves its speed after two rounds; each round's ratio stays 0.8.
    const a = [80, 80, 40, 40, 40];
    const b = [100, 100, 50, 50, 50];
    expect(medianOfRatios(a, b)).toBeCloseTo(0.8);
    // The ratio of the two medians pairs a slow round with a fast one when the sides drift apart.
    const drifting = { a: [80, 80, 40, 40, 40], b: [100, 100, 100, 50, 50] };
    expect(median(drifting.a) / median(drifting.b)).toBeCloseTo(0.4);
    expect(medianOfRatios(drifting.a, drifting.b)).toBeCloseTo(0.8);
  });
});

suite('alternate', () => {
  it('runs a b, b a, a b and gives each side its results in round order', async () => {
    const calls: string[] = [];
    const side = (name: string) => async (round: number) => {
      calls.push(`${name}${round}`);
      return `${name}${round}`;
    };
    const results = await alternate(3, side('a'), side('b'));
    expect(calls).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2']);
    expect(results).toEqual({ a: ['a0', 'a1', 'a2'], b: ['b0', 'b1', 'b2'] });
  });
});

suite('a figure against its goal', () => {
  const ratioFigure = (ratio: number | undefined, goal: Figure['goal']): Figure => ({
    id: 'P9',
    what: 'a route',
    value: 900,
    reference: 1000,
    unit: 'req/s',
    goal,
    ...(ratio === undefined ? {} : { ratio }),
  });

  it('judges the round-by-round ratio when there is one, not the ratio of the medians', () => {
    expect(meetsGoal(ratioFigure(0.84, { atLeast: 0.85 }))).toBe(false);
    expect(meetsGoal(ratioFigure(undefined, { atLeast: 0.85 }))).toBe(true);
    expect(describe(ratioFigure(0.84, { atLeast: 0.85 }))).toBe(
      "P9  a route: 900 vs 1000 req/s (medians) = 0.84x (goal >= 0.85, median of the rounds' ratios: MISSES)",
    );
  });

  it('holds a bound from above, at the bound itself included', () => {
    expect(meetsGoal(ratioFigure(1.5, { atMost: 1.5 }))).toBe(true);
    expect(meetsGoal(ratioFigure(1.51, { atMost: 1.5 }))).toBe(false);
  });

  it('holds an absolute figure (a size, a time) to its bound, not to a ratio', () => {
    const coldStart: Figure = {
      id: 'P5',
      what: 'a cold start (ms)',
      value: 151,
      reference: 0,
      unit: 'ms',
      goal: { atMost: 150 },
      absolute: true,
    };
    expect(meetsGoal(coldStart)).toBe(false);
    expect(describe(coldStart)).toBe('P5  a cold start (ms): 151 ms (goal <= 150 ms: MISSES)');
    expect(meetsGoal({ ...coldStart, value: 150 })).toBe(true);
  });
});

suite('acrossLaunches', () => {
  const settings = { ...roundSettings };

  /** Pairs numbered from 1 whose sides log each call and answer `rate(n)` and 100. */
  function pairs(log: string[], rate: (n: number) => number, failAfterWarmUp = false) {
    let launched = 0;
    return async (): Promise<LaunchedPair<number>> => {
      launched += 1;
      const n = launched;
      const side = (name: string, value: number) => async (seconds: number) => {
        log.push(`${name}${n}:${seconds}s`);
        if (failAfterWarmUp && seconds > 0) throw new Error('the load generator lost its connections');
        return value;
      };
      return {
        a: side('a', rate(n)),
        b: side('b', 100),
        stop: async () => {
          log.push(`stop${n}`);
        },
      };
    };
  }

  it('warms up and runs the rounds on each fresh pair, keeps every round, and stops every pair', async () => {
    Object.assign(roundSettings, { launches: 2, rounds: 3, seconds: 1, warmUpSeconds: 10 });
    try {
      const log: string[] = [];
      // The second pair's platform is slower: its launch's ratio is its own.
      const results = await acrossLaunches(
        pairs(log, (n) => (n === 1 ? 90 : 60)),
        (rate) => rate,
      );
      expect(log).toEqual([
        ...['a1:10s', 'b1:10s', 'a1:1s', 'b1:1s', 'b1:1s', 'a1:1s', 'a1:1s', 'b1:1s', 'stop1'],
        ...['a2:10s', 'b2:10s', 'a2:1s', 'b2:1s', 'b2:1s', 'a2:1s', 'a2:1s', 'b2:1s', 'stop2'],
      ]);
      expect(results.a).toEqual([90, 90, 90, 60, 60, 60]);
      expect(results.launchRatios).toEqual([0.9, 0.6]);
    } finally {
      Object.assign(roundSettings, settings);
    }
  });

  it('stops a pair whose round fails, and reports the failure', async () => {
    Object.assign(roundSettings, { launches: 3, rounds: 1, seconds: 1, warmUpSeconds: 0 });
    try {
      const log: string[] = [];
      const failing = acrossLaunches(
        pairs(log, () => 1, true),
        Number,
      );
      await expect(failing).rejects.toThrow('the load generator lost its connections');
      expect(log).toEqual(['a1:0s', 'b1:0s', 'a1:1s', 'stop1']);
    } finally {
      Object.assign(roundSettings, settings);
    }
  });
});
