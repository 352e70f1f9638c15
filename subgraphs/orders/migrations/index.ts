import type { Migration } from 'kysely';
import * as createOrders from './0001-create-orders.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const ordersMigrations: Record<string, Migration> = {
  '0001-create-orders': createOrders,
};
