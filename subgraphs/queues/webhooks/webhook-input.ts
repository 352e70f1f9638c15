import { z } from 'zod';

/**
 * The rules for webhook endpoint input. Every bad field is reported at once (BAD_USER_INPUT,
 * `extensions.fields`), named as in the input: `url`, `retrySchedule.2`.
 */

export const DEFAULT_RETRY_SCHEDULE: readonly number[] = Object.freeze([1, 5, 15, 60, 300]);
export const DEFAULT_MAX_CONCURRENCY = 4;
export const MAX_RETRIES = 20;
export const MAX_RETRY_DELAY_SECONDS = 86_400;

const whole = (min: number, max: number) =>
  z
    .number('must be a whole number')
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max.toLocaleString('en-US')}`)
    .max(max, `must be between ${min} and ${max.toLocaleString('en-US')}`);

const url = z
  .string()
  .max(2_000, 'must be at most 2,000 characters')
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '' && !parsed.username && !parsed.password;
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without credentials');

/** `order.placed`, `order.*` (a prefix) or `*` (every type). */
const eventType = z.string().regex(/^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/, 'must be an event type (order.placed), a prefix (order.*) or *');

const eventTypes = z
  .array(eventType)
  .min(1, 'must name at least one event type (* for all)')
  .max(100, 'must have at most 100 event types')
  .transform((types) => [...new Set(types)]);

const retrySchedule = z
  .array(whole(0, MAX_RETRY_DELAY_SECONDS))
  .min(1, `must have 1 to ${MAX_RETRIES} delays`)
  .max(MAX_RETRIES, `must have 1 to ${MAX_RETRIES} delays`);

const description = z.string().max(500, 'must be at most 500 characters');

export const createEndpointInput = z.object({
  url,
  eventTypes,
  description: description.nullish(),
  /** null or absent: no limit. */
  rateLimitPerSecond: whole(1, 10_000).nullish(),
  enabled: z.boolean().nullish(),
  maxConcurrency: whole(1, 100).nullish(),
  retrySchedule: retrySchedule.nullish(),
});

/** Absent or null: unchanged, except description and rateLimitPerSecond, which null clears. */
export const updateEndpointInput = createEndpointInput.extend({
  url: url.nullish(),
  eventTypes: eventTypes.nullish(),
});

export const replayRange = z
  .object({ since: z.date('must be a date and time'), until: z.date('must be a date and time') })
  .refine((range) => range.since < range.until, { message: 'must be after since', path: ['until'] });

export type CreateEndpointValues = z.output<typeof createEndpointInput>;
export type UpdateEndpointValues = z.output<typeof updateEndpointInput>;
