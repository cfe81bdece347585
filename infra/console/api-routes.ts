/**
 * Which paths CloudFront sends to which service's API, so the console and the APIs share one origin
 * (no CORS). Patterns are CloudFront's: `*` matches any characters, `/` included; an exact path
 * matches only itself. `api-routes.test.ts` checks every route in each service's OpenAPI document
 * lands on its own service, so a new route cannot silently fall through to the console's bucket.
 */
export const apiRoutes = {
  greetings: ['/hello/*'],
  donations: ['/donations', '/donations/*', '/donors/*'],
  users: ['/users', '/users/*', '/user', '/upload', '/avatars/*'],
  orders: ['/orders', '/orders/*'],
  // `/healthcheck/` and `/items/` are the brief's own middle-tier routes.
  records: ['/records', '/records/*', '/uploads', '/uploads/*', '/items', '/items/*', '/healthcheck/'],
} as const satisfies Record<string, readonly string[]>;

export type RoutedService = keyof typeof apiRoutes;

/** CloudFront's path pattern match: case-sensitive, `*` any run of characters, `?` one character. */
export function matchesPattern(pattern: string, path: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`).test(path);
}

/** The service whose behavior CloudFront picks for a path, or undefined: the console's bucket. */
export function serviceFor(path: string): RoutedService | undefined {
  for (const [service, patterns] of Object.entries(apiRoutes)) {
    if (patterns.some((pattern) => matchesPattern(pattern, path))) return service as RoutedService;
  }
  return undefined;
}
