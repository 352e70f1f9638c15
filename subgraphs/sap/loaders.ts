import DataLoader from 'dataloader';
import type { IdocRow, SapRepository } from './sap-repository.js';
import type { BusinessPartnerRow, ProductRow, SalesOrderRow, SapCustomerRow, SupplierRow } from './sap-entities.js';
import type { SapService } from './sap-service.js';

/** A key of an SAP entity: the system and the entity's key (or, for sales orders, the customer's reference). */
export interface SapKey {
  system: string;
  key: string;
}

const cacheKeyFn = ({ system, key }: SapKey) => `${system}\u0000${key}`;

/**
 * Reads the keys of one batch system by system, one OData request per chunk of keys
 * (`$filter=K eq 'a' or K eq 'b' …`), never one per key; a system's failure is the error of each
 * of its keys, and the other systems' keys still resolve.
 */
function batchBySystem<Row>(read: (system: string, keys: string[]) => Promise<Map<string, Row>>) {
  return async (keys: readonly SapKey[]): Promise<(Row | null | Error)[]> => {
    const bySystem = new Map<string, string[]>();
    for (const { system, key } of keys) bySystem.set(system, [...(bySystem.get(system) ?? []), key]);
    const found = new Map<string, Map<string, Row> | Error>();
    await Promise.all(
      [...bySystem].map(async ([system, systemKeys]) => {
        found.set(system, await read(system, [...new Set(systemKeys)]).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))));
      }),
    );
    return keys.map(({ system, key }) => {
      const rows = found.get(system)!;
      return rows instanceof Error ? rows : (rows.get(key) ?? null);
    });
  };
}

/** Per-request DataLoaders: each batch of a request's keys costs one OData request per system and chunk. */
export function createLoaders(service: SapService, repository: SapRepository) {
  return {
    businessPartners: new DataLoader<SapKey, BusinessPartnerRow | null, string>(batchBySystem((system, ids) => service.businessPartnersByIds(system, ids)), { cacheKeyFn }),
    customers: new DataLoader<SapKey, SapCustomerRow | null, string>(batchBySystem((system, ids) => service.customersByIds(system, ids)), { cacheKeyFn }),
    suppliers: new DataLoader<SapKey, SupplierRow | null, string>(batchBySystem((system, ids) => service.suppliersByIds(system, ids)), { cacheKeyFn }),
    products: new DataLoader<SapKey, ProductRow | null, string>(batchBySystem((system, ids) => service.productsByIds(system, ids)), { cacheKeyFn }),
    salesOrders: new DataLoader<SapKey, SalesOrderRow | null, string>(batchBySystem((system, ids) => service.salesOrdersByIds(system, ids)), { cacheKeyFn }),
    /** By the customer's reference (PurchaseOrderByCustomer): for hub orders, the order number. */
    salesOrdersByReference: new DataLoader<SapKey, SalesOrderRow | null, string>(batchBySystem((system, refs) => service.salesOrdersByReferences(system, refs)), { cacheKeyFn }),
    /** The IDocs sent for each order, newest first. */
    idocsByOrder: new DataLoader<string, IdocRow[]>(async (orderIds) => {
      const rows = await repository.idocsByOrders(orderIds);
      return orderIds.map((id) => rows.filter((row) => row.orderId === id));
    }),
  };
}

export type SapLoaders = ReturnType<typeof createLoaders>;
