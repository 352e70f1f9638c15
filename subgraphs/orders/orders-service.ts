import { createHash } from 'node:crypto';
import { badUserInput, conflict, invalidTransition, notFound } from '../../infra/errors.js';
import { idempotencyKeyRule } from '../../infra/db/idempotency.js';
import { parseInput } from '../../infra/validation.js';
import type { CustomerDirectory } from './customer-directory.js';
import { canTransition, type OrderStatus } from './order-lifecycle.js';
import { cancelReason, placeOrderInput, type PlaceOrderValues } from './order-input.js';
import type { OrderRow, OrdersRepository } from './orders-repository.js';

/** Identifies what was asked for, so that a reused idempotency key can be told apart from a retry. */
function requestHash(values: PlaceOrderValues): string {
  const { idempotencyKey: _key, ...request } = values;
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** Order mutations: validation, idempotency and the lifecycle, over the repository. */
export class OrdersService {
  constructor(
    private readonly repository: OrdersRepository,
    private readonly customers: CustomerDirectory,
  ) {}

  async place(input: object, idempotencyKey: string | null | undefined, requestId: string): Promise<OrderRow> {
    const values = await parseInput(placeOrderInput, { ...input, idempotencyKey });
    const hash = requestHash(values);
    const key = values.idempotencyKey ?? null;

    if (key) {
      const existing = await this.repository.findByIdempotencyKey(key);
      if (existing) return this.replay(existing, hash);
    }
    if (!(await this.customers.exists(values.customerId, requestId))) {
      throw badUserInput([{ field: 'customerId', message: 'names no customer' }]);
    }
    const created = await this.repository.insert({
      customerId: values.customerId,
      currency: values.currency,
      idempotencyKey: key,
      requestHash: key ? hash : null,
      lines: values.lines,
    }, requestId);
    if (created) return created;
    // A concurrent request with the same key committed first: answer as its retry.
    const winner = key ? await this.repository.findByIdempotencyKey(key) : undefined;
    if (!winner) throw new Error('order insert lost an idempotency race but no order holds the key');
    return this.replay(winner, hash);
  }

  /** With `idempotencyKey`, a repeat with the same id and status answers the order as it is now and changes nothing. */
  async changeStatus(id: string, status: OrderStatus, idempotencyKey: string | null | undefined, requestId: string | null): Promise<OrderRow> {
    const key = await parseInput(idempotencyKeyRule, idempotencyKey, undefined, 'idempotencyKey');
    const idempotent = key ? { key, operation: 'updateOrderStatus', args: { id, status } } : undefined;
    const row = await this.repository.changeStatus(id, (current) => {
      if (!canTransition(current.status, status)) throw invalidTransition(current.status, status);
      return { status };
    }, requestId, idempotent);
    if (!row) throw notFound('Order', id);
    return row;
  }

  async cancel(id: string, reason: string | null | undefined, requestId: string | null): Promise<OrderRow> {
    const parsed = cancelReason.safeParse(reason);
    if (!parsed.success) throw badUserInput([{ field: 'reason', message: parsed.error.issues[0]?.message ?? 'is invalid' }]);
    const row = await this.repository.changeStatus(id, (current) => {
      if (!canTransition(current.status, 'CANCELLED')) throw invalidTransition(current.status, 'CANCELLED');
      return { status: 'CANCELLED', cancelReason: parsed.data ?? null };
    }, requestId);
    if (!row) throw notFound('Order', id);
    return row;
  }

  private replay(existing: OrderRow, hash: string): OrderRow {
    if (existing.requestHash !== hash) {
      throw conflict('This idempotency key was already used for a different order', 'idempotencyKey');
    }
    return existing;
  }
}
