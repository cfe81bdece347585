/** AWS Lambda entry for the users HTTP API (the brief's main target is EKS; see deploy/helm). */
import { createHttpApiHandler } from '../../../platform/lambda-http.js';
import { usersService } from '../service.js';

export const handler = createHttpApiHandler([usersService]);
