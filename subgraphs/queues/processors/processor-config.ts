import { z } from 'zod';
import type { Scope } from '../../../infra/auth/principal.js';
import { httpUrl, positiveInt } from '../../../infra/config.js';

/** The built-in processors, each consuming the queue of its name. */
export const PROCESSOR_TYPES = ['customer_created', 'customer_updated', 'order_updated', 'payment_received'] as const;

export type ProcessorType = (typeof PROCESSOR_TYPES)[number];

/**
 * Who the processors are at the router when a hub runs them (`npm start`, the test hub): a
 * bearer token for this subject with exactly these scopes. Standalone, ROUTER_API_KEY should be
 * a key with the same scopes.
 */
export const PROCESSORS_CALLER = Object.freeze({
  subject: 'service:queue-processors',
  scopes: Object.freeze(['customers:read', 'customers:write', 'orders:read', 'orders:write'] satisfies Scope[]),
});

/** What the processors read, spread into the queues subgraph's environment. */
export const processorsEnv = {
  /** The router's GraphQL URL, for a queues subgraph run alone; `npm start` gives its own router's. */
  ROUTER_URL: httpUrl.optional(),
  /** The processors' credential at the router when run alone: an API key (createApiKey) with PROCESSORS_CALLER's scopes. */
  ROUTER_API_KEY: z.string().optional(),
  /** Comma-separated processors to run (default all four); `none` runs none. */
  PROCESSORS: z
    .string()
    .default(PROCESSOR_TYPES.join(','))
    .transform((value) => (value.trim() === 'none' ? [] : [...new Set(value.split(',').map((name) => name.trim()).filter(Boolean))]))
    .refine((names) => names.every((name) => (PROCESSOR_TYPES as readonly string[]).includes(name)), `must be none or a comma-separated list of ${PROCESSOR_TYPES.join(', ')}`)
    .transform((names) => names as ProcessorType[]),
  /** Messages each processor receives at a time and applies concurrently. */
  PROCESSOR_BATCH_SIZE: positiveInt(10, 100),
};
