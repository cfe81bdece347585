/** P1's reference: bare Fastify (the platform's version), one JSON route, no plugins, no logger. */
import Fastify from 'fastify';

const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ url });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
