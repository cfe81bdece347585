/**
 * What every benchmark shares: A/B rounds that alternate (so drift in the machine hits both sides
 * alike), the median of them, and one printed line per figure.
 */

/**
 * How the A/B benchmarks (P1, P2, P4) run: `warmUpSeconds` of load on each side first, not counted,
 * then `rounds` short rounds of `seconds` per side. Short rounds because this VM's speed drifts by
 * a fifth over seconds: the two halves of a one-second pair see the same machine, the halves of a
 * five-second pair often do not. A long warm-up because the platform's request path needs seconds
 * of load before V8 has optimized it (its first rounds ran at two thirds of its later ones).
 * P1 and P2 do all that `launches` times, each time with fresh processes (`acrossLaunches`).
 */
export const roundSettings = {
  launches: Number(process.env.BENCH_LAUNCHES ?? 3),
  rounds: Number(process.env.BENCH_ROUNDS ?? 9),
  seconds: Number(process.env.BENCH_SECONDS ?? 1),
  warmUpSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 10),
};

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * The median of each round's ratio a[i] / b[i]. The two sides of a round run seconds apart, so a
 * machine whose speed drifts (a shared VM's does, by a fifth within a minute) moves both alike; the
 * ratio of two medians can pair a fast round of one side with a slow round of the other.
 */
export const medianOfRatios = (a: number[], b: number[]): number => median(roundRatios(a, b));

/** Each round's a[i] / b[i], in round order (printed beside a figure). */
export const roundRatios = (a: number[], b: number[]): number[] =>
  a.map((value, round) => value / (b[round] as number));

/**
 * Runs the two sides `rounds` times in the order a b, b a, a b, …, and gives each side's results in
 * order. Swapping who goes first cancels a steady drift within a pair, and any cost one side leaves
 * behind for the next (a collection, a cache to refill) falls on both alike.
 */
export async function alternate<T>(
  rounds: number,
  a: (round: number) => Promise<T>,
  b: (round: number) => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const results = { a: [] as T[], b: [] as T[] };
  for (let round = 0; round < rounds; round += 1) {
    if (round % 2 === 0) {
      results.a.push(await a(round));
      results.b.push(await b(round));
    } else {
      results.b.push(await b(round));
      results.a.push(await a(round));
    }
  }
  return results;
}

/** Each side once for `seconds`, not counted: V8 optimizes the hot paths, connections open. */
export async function warmUp(seconds: number, ...sides: ((seconds: number) => Promise<unknown>)[]) {
  for (const side of sides) await side(seconds);
}

export interface Figure {
  id: string;
  what: string;
  /** The measured value and its reference, in the same unit. */
  value: number;
  reference: number;
  unit: string;
  /** The goal on the ratio value / reference, e.g. `>= 0.85`. */
  goal: { atLeast?: number; atMost?: number };
  /** Figures that are not ratios (a size, a time) are held to `goal` on the value itself. */
  absolute?: boolean;
  /** The ratio measured round by round (`medianOfRatios`), when the rounds alternate; else value / reference. */
  ratio?: number;
}

export const ratioOf = (figure: Figure) =>
  figure.absolute ? figure.value : (figure.ratio ?? figure.value / figure.reference);

export function meetsGoal(figure: Figure): boolean {
  const ratio = ratioOf(figure);
  const { atLeast, atMost } = figure.goal;
  return (atLeast === undefined || ratio >= atLeast) && (atMost === undefined || ratio <= atMost);
}

const number = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));

/** One line: the figure, its reference, the ratio and whether it meets its goal. */
export function describe(figure: Figure): string {
  const { atLeast, atMost } = figure.goal;
  const goal = atLeast !== undefined ? `>= ${atLeast}` : `<= ${atMost}`;
  const verdict = meetsGoal(figure) ? 'meets' : 'MISSES';
  if (figure.absolute) {
    return `${figure.id}  ${figure.what}: ${number(figure.value)} ${figure.unit} (goal ${goal} ${figure.unit}: ${verdict})`;
  }
  const how = figure.ratio === undefined ? '' : ", median of the rounds' ratios";
  return `${figure.id}  ${figure.what}: ${number(figure.value)} vs ${number(figure.reference)} ${figure.unit} (medians) = ${ratioOf(figure).toFixed(2)}x (goal ${goal}${how}: ${verdict})`;
}

/** Two sides under test, each in a process of its own, started together. */
export interface LaunchedPair<T> {
  a(seconds: number): Promise<T>;
  b(seconds: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Warm-up and alternating rounds on `launches` fresh pairs of processes, one pair after the other.
 * The same server, started again, settles at a speed of its own: bare Fastify measured 31 and 37 µs
 * of CPU per request in two processes started a minute apart and loaded in the same rounds, and the
 * platform 44 and 50 (V8's optimizing choices and the heap's layout differ from one start to the
 * next). One pair of processes is one draw of that lottery; the median over several is the figure.
 * Gives every round of every launch, and each launch's median ratio (of `value`) to print.
 */
export async function acrossLaunches<T>(
  start: () => Promise<LaunchedPair<T>>,
  value: (result: T) => number,
): Promise<{ a: T[]; b: T[]; launchRatios: number[] }> {
  const { launches, rounds, seconds, warmUpSeconds } = roundSettings;
  const all = { a: [] as T[], b: [] as T[], launchRatios: [] as number[] };
  for (let launch = 0; launch < launches; launch += 1) {
    const pair = await start();
    try {
      await warmUp(warmUpSeconds, pair.a, pair.b);
      const results = await alternate(
        rounds,
        () => pair.a(seconds),
        () => pair.b(seconds),
      );
      all.a.push(...results.a);
      all.b.push(...results.b);
      all.launchRatios.push(medianOfRatios(results.a.map(value), results.b.map(value)));
    } finally {
      await pair.stop();
    }
  }
  return all;
}
