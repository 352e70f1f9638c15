import { z } from 'zod';
import { DecimalScalar } from '../../infra/graphql/scalars.js';
import { decimalWithin } from '../../infra/validation.js';

/**
 * The rules for customer input. Strings are trimmed; email is lower-cased so that
 * uniqueness ignores case. Whether customerGroup names an existing group is checked
 * against the database by the service.
 */

// Absent happens only where GraphQL's types allow it (update's optional fields) or in an import row, whose empty cells are absent.
const notNull = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === null ? 'cannot be null' : issue.input === undefined ? 'is required' : `must be ${what}`),
});

const PHONE = /^\+?[\d\s\-()]+$/;

const name = z.string(notNull('a string')).trim().min(2, 'must be 2 to 100 characters').max(100, 'must be 2 to 100 characters');
const email = z.string(notNull('a string')).trim().toLowerCase().pipe(z.email('must be a well-formed email address').max(254, 'must be at most 254 characters'));
const phone = z.string().trim().max(40, 'must be at most 40 characters').regex(PHONE, 'may contain only digits, spaces, "-", "(", ")" and a leading "+"');
const externalId = z.string(notNull('a string')).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const customerGroup = z.string(notNull('a string')).trim().min(1, 'must not be empty');
// Read as the Decimal scalar reads it first: an import's cells reach these rules without passing through GraphQL.
const creditLimit = z.string(notNull('a decimal')).transform((value, ctx) => {
  let text: string;
  try {
    text = DecimalScalar.parseValue(value) as string;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a number in plain notation such as "1250.50"' });
    return z.NEVER;
  }
  const problem = decimalWithin(text, { min: 0, max: 1_000_000, scale: 2 });
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
  return text;
});
const tier = z.enum(['STANDARD', 'PREMIUM', 'PLATINUM'], notNull('STANDARD, PREMIUM or PLATINUM'));

const emptyToNull = (value: string | null | undefined) => (value === '' ? null : value);

export const createCustomerInput = z.object({
  externalId: externalId.nullish(),
  name,
  email,
  phone: z.string().trim().transform(emptyToNull).pipe(phone.nullable()).nullish(),
  customerGroup: customerGroup.nullish(),
  creditLimit: creditLimit.nullish(),
  tier: tier.nullish(),
});

export const updateCustomerInput = z.object({
  externalId: externalId.nullable().optional(),
  name: name.optional(),
  email: email.optional(),
  phone: z.string().trim().transform(emptyToNull).pipe(phone.nullable()).nullable().optional(),
  customerGroup: customerGroup.optional(),
  creditLimit: creditLimit.optional(),
  tier: tier.optional(),
});

/** The upsert's input together with its externalId argument, so that all bad fields are reported at once. */
export const upsertCustomerInput = createCustomerInput.extend({ externalId });

/**
 * `customers(filter:)`'s CustomerFilter as the query parameters of GET /exports/customers.csv,
 * with the rules its GraphQL types give it: search and customerGroup any text, tier an enum value.
 */
export const customerFilterParameters = z.object({
  search: z.string().optional(),
  customerGroup: z.string().optional(),
  tier: tier.optional(),
});
