import type { ServiceModule } from '../platform/service.js';
import { donationsService } from './donations/service.js';
import { greetingsService } from './greetings/service.js';
import { ordersService } from './orders/service.js';
import { recordsService } from './records/service.js';
import { usersService } from './users/service.js';

/** Every service skiff can mount, in the order they are mounted. */
export const serviceCatalog: readonly ServiceModule[] = [
  greetingsService,
  donationsService,
  usersService,
  ordersService,
  recordsService,
];

/** The services `SERVICES` names, or an error naming the unknown ones. */
export function selectServices(wanted: string[] | 'all'): ServiceModule[] {
  if (wanted === 'all') return [...serviceCatalog];
  const unknown = wanted.filter((name) => !serviceCatalog.some((s) => s.name === name));
  if (unknown.length > 0) {
    const known = serviceCatalog.map((s) => s.name).join(', ');
    throw new Error(`SERVICES names unknown service(s): ${unknown.join(', ')} (known: ${known})`);
  }
  return serviceCatalog.filter((s) => wanted.includes(s.name));
}
