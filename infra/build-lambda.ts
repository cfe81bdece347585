/**
 * One function's bundle, as the CDK stages it: `node --import tsx infra/build-lambda.ts <function> <outdir>`
 * writes `<outdir>/index.js` (no source map), the build every other user of `buildLambdaBundle` makes.
 * The CDK's asset bundling is synchronous, and this build is not (it records the entry's schemas in a
 * process of its own first), so `ServiceFunction` runs it as a child process.
 */
import { join } from 'node:path';
import { buildLambdaBundle, lambdaEntry } from './lambda-bundling.js';

const [name, outdir] = process.argv.slice(2);
if (!name || !outdir) throw new Error('usage: build-lambda.ts <function> <outdir>');
await buildLambdaBundle(lambdaEntry(name), join(outdir, 'index.js'));
