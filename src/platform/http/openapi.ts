import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * OpenAPI 3.1 built from the route schemas at `GET /openapi.json` (and `/swagger.json`), and Swagger
 * UI at `GET /docs` (and `/swagger`). The local platform and the container pass it to `buildApp`;
 * Lambda does not (the UI's static files live in node_modules, and the bundle stays small).
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'skiff',
        description: 'Five AWS backend services on one platform.',
        version: '0.1.0',
      },
      // Records authenticates tenants by key; its routes name this scheme.
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
    },
  });
  // `/swagger` and `/swagger.json` are where the users brief's template served them; `/docs` is ours.
  for (const routePrefix of ['/docs', '/swagger']) {
    await app.register(async (scope) => scope.register(swaggerUi, { routePrefix }));
  }
  for (const url of ['/openapi.json', '/swagger.json'])
    app.get(url, { schema: { hide: true } }, async () => app.swagger());
}
