import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import * as Type from 'typebox';
import { HttpProblem, validationProblem } from '../../platform/http/problem.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
import {
  dateOfBirthProblem,
  greetingFor,
  normaliseUsername,
  parseCalendarDate,
  usernamePattern,
} from './domain.js';
import type { BirthdayStore } from './store.js';

const Params = Type.Object({
  username: Type.String({
    pattern: usernamePattern,
    'x-message': 'must contain only letters (1 to 64, with their combining marks)',
    description: 'Letters only, in any script, with their combining marks',
    examples: ['alice'],
  }),
});

const SaveBody = Type.Object(
  {
    dateOfBirth: Type.String({
      maxLength: 10,
      description: 'YYYY-MM-DD, a real date before today (UTC)',
      examples: ['1990-07-14'],
    }),
  },
  { additionalProperties: false },
);

const Greeting = Type.Object({ message: Type.String() });

export interface GreetingsDependencies {
  store: BirthdayStore;
  clock: () => Date;
}

export function greetingsRoutes({ store, clock }: GreetingsDependencies): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['greetings'];
    // One spelling per name (ADR 0004), before the letters-only check: `Zoe` + U+0308 is `Zoë`.
    app.addHook('preValidation', async (request) => {
      const params = request.params as { username?: unknown };
      if (typeof params.username === 'string') params.username = normaliseUsername(params.username);
    });

    app.put(
      '/hello/:username',
      {
        schema: {
          tags,
          summary: "Save or replace a user's date of birth",
          params: Params,
          body: SaveBody,
          response: { 204: Type.Null({ description: 'Saved' }), 400: ProblemSchema },
        },
      },
      async (request, reply) => {
        const now = clock();
        const problem = dateOfBirthProblem(request.body.dateOfBirth, now);
        if (problem) throw validationProblem([{ field: 'body.dateOfBirth', message: problem }]);
        const { username } = request.params;
        await store.save({ username, dateOfBirth: request.body.dateOfBirth }, now);
        request.log.info({ event: 'birthday.saved' }, 'date of birth saved');
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/hello/:username',
      {
        schema: {
          tags,
          summary: 'Greet a user: days until their birthday, or happy birthday',
          params: Params,
          response: { 200: Greeting, 400: ProblemSchema, 404: ProblemSchema },
        },
      },
      async (request) => {
        const { username } = request.params;
        const saved = await store.find(username);
        const birth = saved && parseCalendarDate(saved.dateOfBirth);
        if (!birth) throw new HttpProblem(404, 'No date of birth is saved for this username.');
        return { message: greetingFor(username, birth, clock()) };
      },
    );
  };
}
