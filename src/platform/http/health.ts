import type { FastifyInstance } from 'fastify';
import * as Type from 'typebox';
import type { ReadinessCheck } from '../aws/readiness.js';
import { sendProblem } from './problem.js';

const probeTimeoutMs = 2000;

async function runCheck(check: ReadinessCheck): Promise<string> {
  const signal = AbortSignal.timeout(probeTimeoutMs);
  try {
    await check.probe(signal);
    return 'ok';
  } catch (error) {
    return signal.aborted ? 'timeout' : ((error as Error).name ?? 'error');
  }
}

/** `/healthz` says the process is alive; `/readyz` says its data stores answer (503 otherwise). */
export function registerHealthRoutes(app: FastifyInstance, checks: ReadinessCheck[]): void {
  const hidden = { hide: true };
  // Probes answer every few seconds: their successful answers write no request line (app.ts).
  const config = { quietRequestLog: true };
  const alive = { ...hidden, response: { 200: Type.Object({ status: Type.Literal('ok') }) } };
  app.get('/healthz', { schema: alive, config }, async () => ({ status: 'ok' as const }));
  app.get('/readyz', { schema: hidden, config }, async (request, reply) => {
    const results = await Promise.all(checks.map(runCheck));
    const report = Object.fromEntries(checks.map((c, i) => [c.name, results[i]]));
    if (results.every((r) => r === 'ok')) return { status: 'ready', checks: report };
    request.log.warn({ checks: report }, 'not ready');
    return sendProblem(reply, {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'A data store did not answer.',
      instance: '/readyz',
      checks: report,
    });
  });
}
