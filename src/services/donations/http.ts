import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import * as Type from 'typebox';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { HttpProblem, validationProblem } from '../../platform/http/problem.js';
import { OrNull, ProblemSchema, StringEnum } from '../../platform/http/schemas.js';
import {
  defaultCurrency,
  donorIdPattern,
  idempotencyKeyPattern,
  isCurrencyCode,
  maxAmountMinorUnits,
  normaliseDonation,
} from './domain.js';
import type { LedgerStore } from './ledger-store.js';
import type { donationRecorder } from './record-donation.js';

const DonorId = Type.String({
  pattern: donorIdPattern,
  'x-message': 'must be 1 to 128 of A-Z a-z 0-9 . _ @ + -',
  examples: ['donor-42'],
});

const DonationBody = Type.Object(
  {
    donorId: DonorId,
    amount: Type.Integer({
      minimum: 1,
      maximum: maxAmountMinorUnits,
      description: 'Minor units (pence), 1 to 100,000,000',
      examples: [1500],
    }),
    currency: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{3}$',
        'x-message': 'must be an ISO 4217 code such as GBP',
        default: defaultCurrency,
      }),
    ),
    email: Type.Optional(
      Type.String({ format: 'email', maxLength: 254, 'x-message': 'must be an e-mail address' }),
    ),
  },
  { additionalProperties: false },
);

const Donation = Type.Object({
  donationId: Type.String(),
  donorId: Type.String(),
  amount: Type.Integer(),
  currency: Type.String(),
  createdAt: Type.String(),
  donationCount: Type.Integer({ description: "This donation's number in the donor's sequence" }),
});

const RecordedDonation = Type.Object({
  ...Donation.properties,
  thankYouSent: Type.Boolean({ description: "True when this request published the donor's thank-you" }),
});

const Donor = Type.Object({
  donorId: Type.String(),
  donationCount: Type.Integer(),
  // What `Type.Record(Type.String(), Type.Integer())` writes, by hand: Record brings TypeBox's type
  // engine (about 40 KB) into the Lambda bundle.
  totals: Type.Unsafe<Record<string, number>>({
    type: 'object',
    patternProperties: { '^.*$': Type.Integer() },
    description: 'Minor units per currency',
  }),
  firstDonationAt: Type.String(),
  lastDonationAt: Type.String(),
  thankYou: Type.Object({
    status: StringEnum(['none', 'pending', 'sent']),
    sentAt: Type.Optional(Type.String()),
  }),
});

const isPosition = (value: unknown): value is { before: number } => {
  const before = (value as { before?: unknown } | null)?.before;
  return typeof before === 'number' && Number.isSafeInteger(before) && before > 1;
};

function beforeFromCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeCursor(cursor, isPosition);
  if (position) return position.before;
  throw validationProblem([{ field: 'querystring.cursor', message: 'is not a cursor this API returned' }]);
}

export interface DonationsDependencies {
  recorder: ReturnType<typeof donationRecorder>;
  ledger: LedgerStore;
  threshold: number;
  /** What logs carry instead of a donor id (which may be an e-mail address). */
  digest: (donorId: string) => string;
}

export function donationsRoutes({
  recorder,
  ledger,
  threshold,
  digest,
}: DonationsDependencies): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['donations'];
    const problems = { 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

    app.post(
      '/donations',
      {
        schema: {
          tags,
          summary: 'Record a donation; the donation that reaches the threshold earns one thank-you',
          headers: Type.Object({
            'idempotency-key': Type.Optional(
              Type.String({
                pattern: idempotencyKeyPattern,
                'x-message': 'must be 1 to 255 visible ASCII characters',
              }),
            ),
          }),
          body: DonationBody,
          response: { 201: RecordedDonation, ...problems },
        },
      },
      async (request, reply) => {
        const input = normaliseDonation(request.body);
        if (!isCurrencyCode(input.currency)) {
          throw validationProblem([{ field: 'body.currency', message: 'is not an ISO 4217 currency code' }]);
        }
        const { response, replayed } = await recorder.record(
          input,
          request.headers['idempotency-key'],
          request.log as Logger,
        );
        if (replayed) reply.header('idempotent-replayed', 'true');
        else {
          const { donorId, donationId, amount, currency, donationCount } = response;
          request.log.info(
            { event: 'donation', donor: digest(donorId), donationId, amount, currency, donationCount },
            'donation recorded',
          );
        }
        return reply.code(201).send(response);
      },
    );

    app.get(
      '/donors/:donorId',
      {
        schema: {
          tags,
          summary: "A donor's count, totals and thank-you status",
          params: Type.Object({ donorId: DonorId }),
          response: { 200: Donor, ...problems },
        },
      },
      async (request) => {
        const summary = await ledger.summary(request.params.donorId, threshold);
        if (!summary) throw new HttpProblem(404, 'No donations are recorded for this donor.');
        return summary;
      },
    );

    app.get(
      '/donors/:donorId/donations',
      {
        schema: {
          tags,
          summary: "A donor's donations, newest first",
          params: Type.Object({ donorId: DonorId }),
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(Donation),
              nextCursor: OrNull(Type.String()),
            }),
            ...problems,
          },
        },
      },
      async (request) => {
        const { donorId } = request.params;
        const before = beforeFromCursor(request.query.cursor);
        const page = await ledger.list(donorId, request.query.limit, before);
        if (page.items.length === 0 && !(await ledger.summary(donorId, threshold))) {
          throw new HttpProblem(404, 'No donations are recorded for this donor.');
        }
        const items = page.items.map(({ email: _email, ...donation }) => donation);
        return { items, nextCursor: page.nextBefore ? encodeCursor({ before: page.nextBefore }) : null };
      },
    );
  };
}
