/** AWS Lambda entry for the greetings HTTP API (bundled by esbuild in the CDK stack). */
import { createHttpApiHandler } from '../../../platform/lambda-http.js';
import { greetingsService } from '../service.js';

export const handler = createHttpApiHandler([greetingsService]);
