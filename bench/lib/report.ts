import { describe, type Figure } from './rounds.js';

/**
 * A benchmark prints its figure for a person, then one `FIGURE {json}` line the runner
 * (`bench/run.ts`) collects into the summary.
 */
export function report(figure: Figure, details: string[] = []): void {
  process.stdout.write(`${[describe(figure), ...details.map((line) => `    ${line}`)].join('\n')}\n`);
  process.stdout.write(`FIGURE ${JSON.stringify(figure)}\n`);
}
