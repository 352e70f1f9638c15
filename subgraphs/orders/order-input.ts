import { z } from 'zod';
import { isUuid } from '../../infra/ids.js';
import { decimalWithin } from '../../infra/validation.js';

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
