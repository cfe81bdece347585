import * as Type from 'typebox';
import { fieldErrorsOf, HttpProblem } from '../../platform/http/problem.js';
import { compileBodyValidator } from '../../platform/http/validation.js';
import { maxEmailLength, maxNameLength } from './domain.js';

export const UserBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: maxNameLength,
      // No control characters (NUL, line breaks) and no bidirectional overrides, which make a
      // stored name read differently from what it holds; no U+FFFD, the mark of text decoded from
      // bytes that were not UTF-8 (a multipart field's, which its parser replaces without a word);
      // no lone surrogate (`"\ud800"` in JSON), which no UTF-8 can store.
      pattern: '^[^\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069\\uFFFD\\uD800-\\uDFFF]*$',
      // For every rule of the field: a schema's x-message replaces each of its keywords' own.
      'x-message': `must be 1 to ${maxNameLength} characters, with no control, text-direction override, replacement (U+FFFD) or lone surrogate characters`,
      examples: ['Ada Lovelace'],
    }),
    email: Type.String({ format: 'email', maxLength: maxEmailLength, examples: ['ada@example.org'] }),
  },
  { additionalProperties: false },
);

const validate = compileBodyValidator(UserBody);
const required = ['name', 'email'] as const;

const badRequest = (error: string, detail: string, extra: object = {}) =>
  new HttpProblem(400, detail, { error, ...extra });

/**
 * The brief's client expects `error: "Missing required data"` (no body) and
 * `"Missing required data: <field>"`; other bad values get a problem naming each field.
 */
export function checkUserInput(input: unknown): { name: string; email: string } {
  if (
    input === undefined ||
    input === null ||
    (typeof input === 'object' && Object.keys(input).length === 0)
  ) {
    throw badRequest('Missing required data', 'The request has no user data: send name and email.');
  }
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw badRequest('Invalid data', 'The body must be a JSON object or a form with name and email.');
  }
  const fields = input as Record<string, unknown>;
  // Blank is missing: a name of spaces is no name. A value that is not text is the schema's to refuse
  // (String() of `{"toString":0}` throws).
  const blank = (value: unknown) => value === undefined || (typeof value === 'string' && value.trim() === '');
  const missing = required.find((field) => blank(fields[field]));
  if (missing) throw badRequest(`Missing required data: ${missing}`, `body.${missing} is required`);
  if (validate(fields)) return fields as { name: string; email: string };
  const errors = fieldErrorsOf('body', validate.errors ?? []);
  const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
  throw badRequest(`Invalid data: ${detail}`, detail, { errors });
}
