import { serviceOfParts } from '../../platform/service-parts.js';
import { donationsApi } from './api-service.js';
import { donationsResources } from './resources.js';
import { donationsSweep } from './thank-you-service.js';

/** Donations as `npm start` and the container run it: the API and the thank-you sweep together. */
export const donationsService = serviceOfParts('donations', donationsResources, [
  donationsApi,
  donationsSweep,
]);
