/**
 * P5's reference: the least a DynamoDB-backed Fastify API on Lambda loads. Bare Fastify (the
 * platform's version), no logger, one JSON route and no schema, behind @fastify/aws-lambda, with one
 * DynamoDB client made as the first event builds the app, as every API's store does. Built with the
 * deployed options (`bench/p5-bundles.ts`), so an API's cold start over this one's is the platform's
 * own share. Like the APIs, it bundles no schema compiler: with no schema, it needs none.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import awsLambdaFastify from '@fastify/aws-lambda';
import Fastify from 'fastify';

const noCompiler = () => () => {
  throw new Error('the reference has no schema to compile');
};

async function start() {
  const dynamodb = new DynamoDBClient({});
  const app = Fastify({
    schemaController: { compilersFactory: { buildValidator: noCompiler, buildSerializer: noCompiler } },
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.addHook('onClose', async () => dynamodb.destroy());
  await app.ready();
  return awsLambdaFastify(app, { decorateRequest: false });
}

let proxy: ReturnType<typeof start> | undefined;
export const handler = async (event: unknown, context: unknown) => {
  proxy ??= start();
  // biome-ignore lint/suspicious/noExplicitAny: the adapter's event and context types, passed through
  return (await proxy)(event as any, context as any);
};
