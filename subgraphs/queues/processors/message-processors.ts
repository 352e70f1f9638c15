import { z } from 'zod';
import { isUuid } from '../../../infra/ids.js';
import type { RouterClient, RouterResult } from '../../../infra/graphql/router-client.js';
import type { ProcessorType } from './processor-config.js';

/**
 * The built-in processors: each validates a message's payload and applies it through the
 * router's GraphQL API with the message id as the mutation's idempotencyKey, so a redelivered
 * message changes nothing the second time. Payloads are checked here for shape only; the domain's
 * own rules (name length, email format, customer groups, the order lifecycle) are the API's, and
 * a refusal comes back as a code that dead-letters the message.
 */

/** What becomes of a message: acked, a dead letter at once with the reason, or nacked for the queue's retry policy. */
export type Outcome = { kind: 'done' } | { kind: 'dead'; reason: string } | { kind: 'retry'; reason: string; delaySeconds?: number };

export interface MessageProcessor<Payload = any> {
  payload: z.ZodType<Payload>;
  apply(payload: Payload, messageId: string, router: RouterClient): Promise<Outcome>;
}

/**
 * Codes that say the message itself can never be applied: it goes to the dead letters with the
 * code and message. Every other code is retried by the queue's policy: the router or a subgraph
 * being unavailable, and also UNAUTHENTICATED, FORBIDDEN, PERSISTED_QUERY_NOT_ALLOWED and
 * GRAPHQL_VALIDATION_FAILED, which mean the processors' credentials, the safelist or the
 * supergraph are wrong, not the message: fix them and the retries (or a replay) succeed.
 */
const PERMANENT = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'INVALID_TRANSITION']);

/** The outcome of an answer; `check` may turn good data into a dead letter. */
function outcomeOf<Data>(result: RouterResult<Data>, check?: (data: Data) => string | undefined): Outcome {
  if (result.errors) {
    const [error] = result.errors;
    const reason = `${error!.code}: ${error!.message}`;
    if (PERMANENT.has(error!.code)) return { kind: 'dead', reason };
    // Over the router's rate limit: come back when it says, rather than after the queue's backoff.
    const retryAfter = error!.code === 'RATE_LIMITED' ? error!.extensions.retryAfter : undefined;
    return typeof retryAfter === 'number' ? { kind: 'retry', reason, delaySeconds: retryAfter } : { kind: 'retry', reason };
  }
  const problem = check?.(result.data);
  return problem ? { kind: 'dead', reason: problem } : { kind: 'done' };
}

const required = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
const uuid = required.refine(isUuid, 'must be an id (a UUID)');
/** A Decimal as the GraphQL API takes it: a string or a plain JSON number. */
const decimal = z.union([z.string(), z.number()], { error: 'must be a decimal (a string or a number)' });
/** The SDL's OrderStatus. */
const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;

/** UpsertCustomerInput with its externalId; absent fields stay as they are on an update, `phone: null` clears it. */
const customerPayload = z.object({
  externalId: required,
  name: required,
  email: required,
  phone: z.string().nullish(),
  customerGroup: z.string().nullish(),
  creditLimit: decimal.nullish(),
  tier: z.enum(['STANDARD', 'PREMIUM', 'PLATINUM']).nullish(),
});

const UPSERT_CUSTOMER = `mutation QueueProcessorUpsertCustomer($externalId: String!, $input: UpsertCustomerInput!, $key: String) {
  upsertCustomerByExternalId(externalId: $externalId, input: $input, idempotencyKey: $key) { created customer { id } }
}`;

const upsertCustomer: MessageProcessor<z.output<typeof customerPayload>> = {
  payload: customerPayload,
  async apply({ externalId, ...input }, messageId, router) {
    return outcomeOf(await router.execute(UPSERT_CUSTOMER, { externalId, input, key: messageId }, messageId));
  },
};

const UPDATE_STATUS = `mutation QueueProcessorUpdateOrderStatus($id: ID!, $status: OrderStatus!, $key: String) {
  updateOrderStatus(id: $id, status: $status, idempotencyKey: $key) { id status }
}`;

const orderUpdated: MessageProcessor<{ orderId: string; status: (typeof ORDER_STATUSES)[number] }> = {
  payload: z.object({ orderId: uuid, status: z.enum(ORDER_STATUSES, `must be one of ${ORDER_STATUSES.join(', ')}`) }),
  async apply({ orderId, status }, messageId, router) {
    return outcomeOf(await router.execute(UPDATE_STATUS, { id: orderId, status, key: messageId }, messageId));
  },
};

/** A decimal's digits without leading zeros in its integer part and trailing zeros in its fraction: "012.50" and "12.5" are one amount. */
function canonicalAmount(value: string | number): string | undefined {
  const text = String(value).trim();
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const integer = match[1]!.replace(/^0+(?=\d)/, '');
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  return fraction ? `${integer}.${fraction}` : integer;
}

const paymentPayload = z.object({
  orderId: uuid,
  amount: decimal.refine((value) => canonicalAmount(value) !== undefined, 'must be a decimal of 0 or more, such as "1250.50"'),
  currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR').optional(),
  /** The payment's reference in the payment system; kept in the message, not on the order (which has no payment fields). */
  reference: required.trim().min(1, 'must not be empty'),
});

const ORDER_FOR_PAYMENT = `query QueueProcessorPaymentOrder($id: ID!) { order(id: $id) { id status total currency } }`;

/**
 * Marks the order PAID when the payment covers it exactly: the amount must equal the order's
 * total (and the currency, when given, its currency); otherwise the message is a dead letter
 * naming both, and the order is left alone. Orders always have a total (the sum of their lines).
 */
const paymentReceived: MessageProcessor<z.output<typeof paymentPayload>> = {
  payload: paymentPayload,
  async apply({ orderId, amount, currency }, messageId, router) {
    const read = await router.execute<{ order: { total: string; currency: string } | null }>(ORDER_FOR_PAYMENT, { id: orderId }, messageId);
    const checked = outcomeOf(read, ({ order }) => {
      if (!order) return `NOT_FOUND: Order ${orderId} does not exist`;
      if (currency && currency !== order.currency) return `the payment's currency ${currency} is not the order's ${order.currency}`;
      if (canonicalAmount(amount) !== canonicalAmount(order.total)) return `the payment's amount ${amount} does not match the order's total ${order.total} ${order.currency}`;
      return undefined;
    });
    if (checked.kind !== 'done') return checked;
    return outcomeOf(await router.execute(UPDATE_STATUS, { id: orderId, status: 'PAID', key: messageId }, messageId));
  },
};

export const MESSAGE_PROCESSORS: Readonly<Record<ProcessorType, MessageProcessor>> = {
  customer_created: upsertCustomer,
  customer_updated: upsertCustomer,
  order_updated: orderUpdated,
  payment_received: paymentReceived,
};
