import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * OpenAPI 3.1 built from the route schemas at `GET /openapi.json`, and Swagger UI at `GET /docs`
 * where `withUi` (its static files live in node_modules, which a bundled Lambda does not ship).
 */
export async function registerOpenApi(app: FastifyInstance, withUi: boolean): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'skiff',
        description: 'Five AWS backend services on one platform.',
        version: '0.1.0',
      },
    },
  });
  if (withUi) await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
