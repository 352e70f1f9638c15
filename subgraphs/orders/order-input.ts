import { z } from 'zod';
import { DateTimeScalar } from '../../infra/graphql/scalars.js';
import { isUuid } from '../../infra/ids.js';
import { decimalWithin } from '../../infra/validation.js';
import type { OrderStatus } from './order-lifecycle.js';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const line = z.object({
  sku: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  description: z
    .string()
    .trim()
    .max(500, 'must be at most 500 characters')
    .nullish()
    .transform((value) => (value ? value : null)),
  quantity: z.number().int('must be a whole number').min(1, 'must be greater than 0').max(1_000_000, 'must be at most 1,000,000'),
  unitPrice: z.string().superRefine((value, ctx) => {
    const problem = decimalWithin(value, { min: 0, max: 1_000_000_000, scale: 4 });
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

/** The rules for placeOrder's input; strings are trimmed and the currency upper-cased. */
export const placeOrderInput = z.object({
  customerId: z.string().trim().refine(isUuid, 'must be a customer id'),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => CURRENCIES.has(code), 'must be an ISO 4217 currency code such as EUR or USD'),
  lines: z.array(line).min(1, 'must have at least one line').max(200, 'must have at most 200 lines'),
  idempotencyKey: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').nullish(),
});

export type PlaceOrderValues = z.output<typeof placeOrderInput>;

export const cancelReason = z.string().trim().max(500, 'must be at most 500 characters').nullish();

const STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const satisfies readonly OrderStatus[];

/** A DateTime as the GraphQL scalar reads it (RFC 3339, with a time zone), as a Date. */
const dateTime = z.string().transform((value, ctx) => {
  try {
    return DateTimeScalar.parseValue(value) as Date;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date-time with a time zone, such as 2025-01-31T00:00:00Z' });
    return z.NEVER;
  }
});

/**
 * `orders(filter:)`'s OrderFilter as the query parameters of GET /exports/orders.csv, with the
 * rules its GraphQL types give it: status an enum value, customerId any ID (one that is not an
 * order's customer matches nothing), createdAfter (inclusive) and createdBefore (exclusive) DateTimes.
 */
export const orderFilterParameters = z.object({
  status: z.enum(STATUSES, { error: `must be ${STATUSES.slice(0, -1).join(', ')} or ${STATUSES.at(-1)}` }).optional(),
  customerId: z.string().optional(),
  createdAfter: dateTime.optional(),
  createdBefore: dateTime.optional(),
});
