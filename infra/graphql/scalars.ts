import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { ErrorCode } from '../errors.js';

/** Plain decimal notation: at most 15 integer digits and 6 fraction digits, no exponent. */
const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : undefined;
  if (text === undefined || !DECIMAL.test(text)) {
    throw new GraphQLError(`Decimal must be a number in plain notation such as "1250.50", got ${JSON.stringify(value)}`, {
      extensions: { code: ErrorCode.BadUserInput },
    });
  }
  return text;
}

/**
 * Exact decimal numbers. Serialised as strings so that no client parses them into a float;
 * accepted as strings or, for convenience, as JSON numbers in plain notation.
 * PostgreSQL NUMERIC values arrive from `pg` as strings and pass through untouched.
 */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number, serialised as a string ("1250.50").',
  serialize: (value) => (typeof value === 'number' ? String(value) : (value as string)),
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.kind === Kind.STRING ? ast.value : Number(ast.value));
    throw new GraphQLError('Decimal must be a string or a number', { extensions: { code: ErrorCode.BadUserInput } });
  },
});

export const DateTimeScalar = DateTimeResolver;

export const JSONScalar = JSONResolver;
