/**
 * What every benchmark shares: A/B rounds that alternate (so drift in the machine hits both sides
 * alike), the median of them, and one printed line per figure.
 */

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
export const medianOfRatios = (a: number[], b: number[]): number =>
  median(a.map((value, round) => value / (b[round] as number)));

/** Runs `a` then `b`, `rounds` times, and gives each side's results in order. */
export async function alternate<T>(
  rounds: number,
  a: (round: number) => Promise<T>,
  b: (round: number) => Promise<T>,
): Promise<{ a: T[]; b: T[] }> {
  const results = { a: [] as T[], b: [] as T[] };
  for (let round = 0; round < rounds; round += 1) {
    results.a.push(await a(round));
    results.b.push(await b(round));
  }
  return results;
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
