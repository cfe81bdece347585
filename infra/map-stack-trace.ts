/**
 * `npm run lambda:stack -- dist/lambda/<function>/index.js.map < trace.txt`: a Lambda's stack trace
 * (from CloudWatch) with bundle positions turned into source positions, using the map kept with the
 * release that produced it.
 */
import { text } from 'node:stream/consumers';
import { mapStackTraceWith } from './lambda-bundling.js';

const [mapFile] = process.argv.slice(2);
if (!mapFile) {
  process.stderr.write('usage: npm run lambda:stack -- <index.js.map> < trace.txt\n');
  process.exit(2);
}
process.stdout.write(mapStackTraceWith(mapFile, await text(process.stdin)));
