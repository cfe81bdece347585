/**
 * `npm run bench [-- <name>...] [--rows N --sample N]`: the performance figures P1–P6, each a ratio
 * against a reference measured in the same run (or a size or a time held to its bound), one
 * benchmark per process, then a summary. Names: p1 … p6 (all when none is given). Options after the
 * names go to the benchmarks that take them (P3's `--rows`, `--sample`, `--memory`).
 * docs/performance.md says what each measures and how to read it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, type Figure, meetsGoal } from './lib/rounds.js';

const benchmarks: Record<string, string> = {
  p1: 'p1-http-overhead.ts',
  p2: 'p2-db-route.ts',
  p3: 'ingest.ts',
  p4: 'p4-query-scale.ts',
  p5: 'p5-bundles.ts',
  p6: 'p6-startup.ts',
};

// The SDK warns once per process, at its first client, that it will soon need Node 22: on Node 20
// that is a dozen lines of every benchmark's process, outside any timed window. Lambda runs Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const args = process.argv.slice(2);
const named = args.filter((arg) => arg.toLowerCase() in benchmarks).map((arg) => arg.toLowerCase());
const options = args.filter((arg) => !(arg.toLowerCase() in benchmarks));
const unknown = args.filter((arg) => /^p\d$/i.test(arg) && !(arg.toLowerCase() in benchmarks));
if (unknown.length > 0) throw new Error(`Unknown benchmark(s): ${unknown.join(', ')}; known: p1 … p6`);

/** Runs one benchmark in its own process, passing its lines through and keeping its figures. */
async function run(name: string): Promise<Figure[]> {
  const file = new URL(benchmarks[name] as string, import.meta.url).pathname;
  const passed = name === 'p3' ? options : [];
  const child = spawn(process.execPath, ['--max-old-space-size=384', '--import', 'tsx', file, ...passed], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const figures: Figure[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('FIGURE ')) figures.push(JSON.parse(line.slice('FIGURE '.length)) as Figure);
    else process.stdout.write(`${line}\n`);
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`benchmark ${name} exited with ${code}`);
  return figures;
}

const figures: Figure[] = [];
for (const name of named.length > 0 ? named : Object.keys(benchmarks)) figures.push(...(await run(name)));
const missed = figures.filter((figure) => !meetsGoal(figure));
process.stdout.write(
  `\nsummary (${new Date().toISOString()}, ${process.version}):\n${figures.map((f) => `  ${describe(f)}`).join('\n')}\n`,
);
if (missed.length > 0) process.stdout.write(`  ${missed.length} figure(s) miss their goal\n`);
