/**
 * P2's breakdown (BENCH_P2_BARE=1): bare Fastify (the platform's version; one route, no plugins, no
 * logger, no schema) whose route makes P2's GetItem with the platform's client options, as the raw
 * loop does. What any Fastify server pays to put that call behind HTTP on this machine.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import Fastify from 'fastify';
import { benchDynamoDB, greetingsGetItem } from '../lib/greetings-get-item.js';

const dynamodb = benchDynamoDB();
const app = Fastify();
app.get<{ Params: { username: string } }>('/hello/:username', async (request, reply) => {
  const { username } = request.params;
  const { Item } = await dynamodb.send(new GetItemCommand(greetingsGetItem(username)));
  // A missing item fails the load (any non-2xx does), rather than timing a different answer.
  if (!Item?.dateOfBirth?.S) return reply.code(404).send({ message: 'not found' });
  return { message: `Hello, ${username}! Born on ${Item.dateOfBirth.S}` };
});
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ url });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
