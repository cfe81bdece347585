/**
 * `npm run build:lambdas`: every Lambda bundle, exactly as deployed, with its source map beside it,
 * in `dist/lambda/<function>/index.js` and `index.js.map`. The maps are what turns a stack trace from
 * CloudWatch back into source lines: keep them with each release (see `infra/lambda-bundling.ts`).
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildLambdaBundle, lambdaEntries } from './lambda-bundling.js';

const outdir = join('dist', 'lambda');
rmSync(outdir, { recursive: true, force: true });
for (const entry of lambdaEntries) {
  const outfile = join(outdir, entry.name, 'index.js');
  await buildLambdaBundle(entry, outfile, { sourcemap: true });
  const bytes = (file: string) => statSync(file).size.toLocaleString('en');
  process.stdout.write(`${outfile}  ${bytes(outfile)} B  (map ${bytes(`${outfile}.map`)} B)\n`);
}
