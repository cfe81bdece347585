/**
 * Reads an environment variable's text as its schema in `config-schema.ts` declares it. Not Ajv:
 * the schema uses a handful of keywords on flat text values, and Ajv's code for it was 65 KB (with
 * the URI format's), built into every Lambda bundle and run on every cold start (docs/performance.md,
 * P5). Values are coerced as Ajv's `coerceTypes` did, so the settings that were valid still are.
 */

/** The keywords `config-schema.ts` uses (a test holds the schema to them: `checkedKeywords`). */
export interface VariableSchema {
  type: 'integer' | 'number' | 'boolean' | 'string';
  minimum?: number;
  maximum?: number;
  pattern?: string;
  enum?: string[];
  format?: 'uri';
}

/** What a variable's schema may say: the rules checked here, and what only documents it. */
export const checkedKeywords = ['type', 'minimum', 'maximum', 'pattern', 'enum', 'format', 'default'];

/** `text` as a number when it is one, as Ajv read it: `+text`, never from empty text. */
function asNumber(text: string): number | undefined {
  const value = Number(text);
  return text !== '' && Number.isFinite(value) ? value : undefined;
}

function typed(schema: VariableSchema, text: string): unknown {
  switch (schema.type) {
    case 'integer': {
      const value = asNumber(text);
      return value !== undefined && Number.isInteger(value) ? value : undefined;
    }
    case 'number':
      return asNumber(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
    case 'string':
      return text;
  }
}

function withinRules(schema: VariableSchema, value: unknown): boolean {
  if (typeof value === 'number') {
    return (schema.minimum ?? value) <= value && value <= (schema.maximum ?? value);
  }
  if (typeof value !== 'string') return true;
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) return false;
  return schema.format !== 'uri' || URL.canParse(value);
}

/** The value of a variable set to `text`, or `undefined` when `text` is not one its schema allows. */
export function readValue(schema: VariableSchema, text: string): unknown {
  const value = typed(schema, text);
  return value !== undefined && withinRules(schema, value) ? value : undefined;
}
