import type { ServiceResources } from './resources.js';
import type { ServiceInstance, ServiceModule } from './service.js';

/**
 * One running service from the instances of its parts. A service's parts (its API, its workers) are
 * deployed as separate Lambda functions, so each bundle holds only its own code and SDK clients;
 * `npm start` and the container run them together, as this one instance.
 */
export function mergeInstances(instances: ServiceInstance[]): ServiceInstance {
  const routes = instances.flatMap((instance) => (instance.routes ? [instance.routes] : []));
  return {
    ...(routes.length > 0 && {
      // Each part's routes in a scope of their own, as each part's Lambda function registers them:
      // a hook one part adds (records' tenant authentication) runs on its own routes only, once.
      routes: async (app, options) => {
        for (const register of routes) await app.register(register, options);
      },
    }),
    tasks: instances.flatMap((instance) => instance.tasks ?? []),
    workflowTasks: Object.assign({}, ...instances.map((instance) => instance.workflowTasks)),
    objectCreated: Object.assign({}, ...instances.map((instance) => instance.objectCreated)),
    close: async () => {
      for (const instance of instances) await instance.close?.();
    },
    seedLocal: async () => {
      for (const instance of instances) await instance.seedLocal?.();
    },
  };
}

/** The part of a service a function runs: a subset of the service's resources, its own clients. */
export type ServicePart<R extends ServiceResources> = Pick<ServiceModule<R>, 'clients' | 'create'>;

/** A whole service from its parts: all its resources, every part's clients, every part built. */
export function serviceOfParts<R extends ServiceResources>(
  name: string,
  resources: R,
  parts: ServicePart<R>[],
): ServiceModule<R> {
  return {
    name,
    resources,
    clients: Object.assign({}, ...parts.map((part) => part.clients)),
    create: (context) => mergeInstances(parts.map((part) => part.create(context))),
  };
}
