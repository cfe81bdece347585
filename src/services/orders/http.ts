import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Static } from 'typebox';
import * as Type from 'typebox';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import {
  HttpProblem,
  issueParts,
  legacyErrorHandler,
  validationProblem,
} from '../../platform/http/problem.js';
import { OrNull, ProblemSchema, StringEnum } from '../../platform/http/schemas.js';
import { compileBodyValidator } from '../../platform/http/validation.js';
import {
  type RunDescription,
  UnknownRunCursor,
  type WorkflowRunner,
} from '../../platform/workflow/workflow-runner.js';
import {
  duplicateIndexes,
  expiryFor,
  isExpired,
  maxOrdersPerRequest,
  type OrderInput,
  unstorableFields,
} from './domain.js';
import type { OrderStore } from './order-store.js';
import type { PipelineInput } from './pipeline-definition.js';
import type { RunStore, RunSummary } from './run-store.js';

const OrderItem = Type.Object(
  {
    record_id: Type.String({ minLength: 1, maxLength: 128 }),
    parameter_1: Type.String({ maxLength: 1024 }),
    // Numbers JavaScript and DynamoDB both hold exactly: 1e300 is a clear 400, not a failed write.
    parameter_2: Type.Number({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
);
const OrdersBody = Type.Array(OrderItem, {
  minItems: 1,
  maxItems: maxOrdersPerRequest,
  examples: [[{ record_id: 'unique_id_1', parameter_1: 'abc', parameter_2: 4 }]],
});
const validateOrders = compileBodyValidator(OrdersBody);

const OrderView = Type.Object({
  record_id: Type.String(),
  parameter_1: Type.String(),
  parameter_2: Type.Number(),
  status: StringEnum(['pending', 'accepted', 'rejected']),
  ttl: Type.Integer({ description: 'Epoch seconds; the order is gone after it' }),
  createdAt: Type.String(),
  power: Type.Optional(Type.Number()),
  decidedAt: Type.Optional(Type.String({ description: 'When the auction decided; the decision is kept' })),
  settledAt: Type.Optional(
    Type.String({ description: 'When the outcome was delivered: result stored, or rejection notice sent' }),
  ),
});

const count = OrNull(Type.Integer());
const RunView = Type.Object({
  runId: Type.String(),
  status: StringEnum(['RUNNING', 'SUCCEEDED', 'FAILED']),
  startedAt: Type.String(),
  stoppedAt: OrNull(Type.String()),
  seed: OrNull(Type.String(), {
    description: "The simulated auction's seed for this run",
  }),
  orders: count,
  settled: OrNull(Type.Integer(), {
    description: 'Orders this run delivered: results stored and notices sent; null until it is summarized',
  }),
  left: OrNull(Type.Integer(), {
    description: 'Orders it could not deliver, left pending for the next run',
  }),
  accepted: count,
  rejected: count,
  error: OrNull(Type.Object({ error: Type.String(), cause: Type.Optional(Type.String()) })),
});
type RunViewType = Static<typeof RunView>;

function runView(run: RunDescription, summary: RunSummary | undefined): RunViewType {
  return {
    runId: run.runId,
    status: run.status,
    startedAt: run.startedAt,
    stoppedAt: run.stoppedAt ?? null,
    seed: summary?.seed || null,
    orders: summary?.orders ?? null,
    settled: summary?.settled ?? null,
    left: summary?.left ?? null,
    accepted: summary?.accepted ?? null,
    rejected: summary?.rejected ?? null,
    error: run.error ?? null,
  };
}

const emptyBody = 'Request body is empty';

/** The runner's page position inside an opaque cursor of this API's own making. */
function positionOf(cursor: string): string {
  const position = decodeCursor(cursor, (value): value is string => typeof value === 'string');
  if (position === undefined) throw new UnknownRunCursor();
  return position;
}

/** `/3/parameter_2` → `body[3].parameter_2`: the item's index and field, as the issue asks. */
function orderField(instancePath: string, child?: string): string {
  const [index, ...rest] = instancePath.split('/').filter(Boolean);
  const name = [...rest, child].filter(Boolean).join('.');
  if (index === undefined) return name ? `body.${name}` : 'body';
  return `body[${index}]${name ? `.${name}` : ''}`;
}

/** Every order is checked before any is written: one bad item and nothing is saved. */
function checkOrders(body: unknown): OrderInput[] {
  if (body === undefined || body === null || (Array.isArray(body) && body.length === 0)) {
    throw new HttpProblem(400, 'Send a JSON array of 1 to 1000 orders.', { errorMessage: emptyBody });
  }
  if (!validateOrders(body)) {
    const errors = (validateOrders.errors ?? []).slice(0, 20).map((issue) => {
      const { child, message } = issueParts(issue);
      return { field: orderField(issue.instancePath, child), message };
    });
    throw validationProblem(errors);
  }
  const orders = body as OrderInput[];
  const errors = [
    ...duplicateIndexes(orders).map((i) => ({
      field: `body[${i}].record_id`,
      message: 'repeats an earlier record_id in this request',
    })),
    ...orders.flatMap((order, i) =>
      unstorableFields(order).map(({ field, message }) => ({ field: `body[${i}].${field}`, message })),
    ),
  ];
  if (errors.length > 0) throw validationProblem(errors.slice(0, 20));
  return orders;
}

export interface OrdersDependencies {
  orders: OrderStore;
  runs: RunStore;
  runner: WorkflowRunner;
  clock: () => Date;
  maxAttempts: number;
}

export function ordersRoutes({
  orders,
  runs,
  runner,
  clock,
  maxAttempts,
}: OrdersDependencies): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['orders'];
    // The brief's lambda answered errors with `errorMessage`; every error here carries it too.
    app.setErrorHandler(legacyErrorHandler('errorMessage', emptyBody));
    const problems = { 400: ProblemSchema, 404: ProblemSchema };

    app.post(
      '/orders',
      {
        schema: {
          tags,
          summary: 'Store 1 to 1000 orders for 24 hours (posting a record_id again replaces it)',
          body: OrdersBody,
          response: {
            201: Type.Object({
              message: Type.String(),
              count: Type.Integer(),
              record_ids: Type.Array(Type.String()),
              expiresAt: Type.String(),
            }),
            ...problems,
          },
        },
        // Checked in the handler: an empty body must get the brief's errorMessage, not a schema error.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        const input = checkOrders(request.body);
        const now = clock();
        const ttl = expiryFor(now);
        await orders.putPending(input, ttl, now);
        request.log.info({ event: 'orders.stored', count: input.length }, 'orders stored');
        return reply.code(201).send({
          message: 'Orders stored',
          count: input.length,
          record_ids: input.map((order) => order.record_id),
          expiresAt: new Date(ttl * 1000).toISOString(),
        });
      },
    );

    app.get(
      '/orders/:record_id',
      {
        schema: {
          tags,
          summary: 'An order and its status; expired orders are gone',
          params: Type.Object({ record_id: Type.String({ minLength: 1, maxLength: 128 }) }),
          response: { 200: OrderView, ...problems },
        },
      },
      async (request) => {
        const order = await orders.get(request.params.record_id);
        if (!order || isExpired(order, clock()))
          throw new HttpProblem(404, 'No such order, or it has expired.');
        return order;
      },
    );

    app.post(
      '/orders/pipeline/runs',
      {
        schema: {
          tags,
          summary: 'Start a run of the auction results pipeline, unless one is still going',
          response: {
            202: Type.Object({ runId: Type.String() }),
            409: {
              ...ProblemSchema,
              description: 'A run is still going: `runId` names it. Scheduled runs start whatever this says.',
            },
          },
        },
      },
      async (request, reply) => {
        // Runs that overlap are safe (each order is claimed by one), but a second one started by
        // hand while one is going only competes with it for the same orders.
        const [going] = await runner.running(1);
        if (going !== undefined) {
          throw new HttpProblem(
            409,
            `Pipeline run ${going} is still going: start another once it has ended.`,
            {
              runId: going,
            },
          );
        }
        const input: PipelineInput = { attempt: 0, maxAttempts };
        const { runId } = await runner.start(input);
        request.log.info({ event: 'pipeline.started', runId }, 'pipeline run started');
        return reply.code(202).send({ runId });
      },
    );

    app.get(
      '/orders/pipeline/runs',
      {
        schema: {
          tags,
          summary: 'Recent pipeline runs, newest first; `next` is the cursor of the next page',
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
          }),
          response: {
            200: Type.Object({ runs: Type.Array(RunView), next: OrNull(Type.String()) }),
            ...problems,
          },
        },
      },
      async (request) => {
        const { limit, cursor } = request.query;
        const page = await runner.list(limit, cursor === undefined ? undefined : positionOf(cursor));
        const summaries = await runs.summaries(page.runs.map((run) => run.runId));
        return {
          runs: page.runs.map((run) => runView(run, summaries.get(run.runId))),
          next: page.next === undefined ? null : encodeCursor(page.next),
        };
      },
    );

    app.get(
      '/orders/pipeline/runs/:runId',
      {
        schema: {
          tags,
          summary: 'How a pipeline run went',
          params: Type.Object({ runId: Type.String({ pattern: '^[0-9a-f-]{36}$' }) }),
          response: { 200: RunView, ...problems },
        },
      },
      async (request) => {
        const run = await runner.describe(request.params.runId);
        if (!run) throw new HttpProblem(404, 'No such pipeline run.');
        return runView(run, (await runs.summaries([run.runId])).get(run.runId));
      },
    );
  };
}
