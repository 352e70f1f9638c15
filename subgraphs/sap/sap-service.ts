import { GraphQLError } from 'graphql';
import { badUserInput, dependencyUnavailable, ErrorCode, notFound } from '../../infra/errors.js';
import { RouterUnreachable, type RouterClient } from '../../infra/graphql/router-client.js';
import type { Logger } from '../../infra/logger.js';
import { buildOrders05, type SapConnector, type SapSystem } from './connector/index.js';

type ODataServiceName = 'businessPartner' | 'product' | 'salesOrder';
import {
  categoryCode,
  processingStatusCode,
  SELECTS,
  toBusinessPartner,
  toODataConnection,
  toProduct,
  toSalesOrder,
  toSapCustomer,
  toSupplier,
  type BusinessPartnerCategory,
  type BusinessPartnerRow,
  type ODataConnection,
  type ODataEntity,
  type ODataPage,
  type ProductRow,
  type SalesOrderProcessingStatus,
  type SalesOrderRow,
  type SapCustomerRow,
  type SupplierRow,
} from './sap-entities.js';
import { idocEvent } from './idoc-status-tracker.js';
import type { IdocRow, SapRepository } from './sap-repository.js';

export type SapCircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN' | 'ISOLATED';

/** A system as `sapSystems` shows it. */
export interface SapSystemView {
  id: string;
  type: string;
  baseUrl: string;
  client: string;
  reachable: boolean | null;
  circuit: SapCircuitState;
  poolSize: number;
  poolInUse: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastSuccessAt: Date | null;
  isDefault: boolean;
}

const CIRCUIT: Record<string, SapCircuitState> = { closed: 'CLOSED', open: 'OPEN', 'half-open': 'HALF_OPEN', isolated: 'ISOLATED' };

/**
 * SAP's convention for numeric keys (the ALPHA conversion): a key of digits only is stored with
 * leading zeros to its field's length; a hub customer's externalId `10000001` is business partner
 * `0010000001`.
 */
export function alphaKey(key: string, length = 10): string {
  return /^\d+$/.test(key) && key.length < length ? key.padStart(length, '0') : key;
}

/** An OData string literal: quotes doubled. */
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** Changes to a business partner, as GraphQL takes them. */
export interface BusinessPartnerChange {
  firstName?: string | null;
  lastName?: string | null;
  organizationName?: string | null;
  searchTerm?: string | null;
  isBlocked?: boolean | null;
}

const CHANGE_PROPERTIES: Record<keyof BusinessPartnerChange, string> = {
  firstName: 'FirstName',
  lastName: 'LastName',
  organizationName: 'OrganizationBPName1',
  searchTerm: 'SearchTerm1',
  isBlocked: 'BusinessPartnerIsBlocked',
};

const HUB_ORDER = `query SapOrderForIdoc($id: ID!) {
  order(id: $id) { id number currency createdAt lines { sku quantity unitPrice } customer { id externalId } }
}`;

interface HubOrder {
  id: string;
  number: string;
  currency: string;
  createdAt: string;
  lines: { sku: string; quantity: number; unitPrice: string }[];
  customer: { id: string; externalId: string | null } | null;
}

export interface SapServiceDeps {
  connector: SapConnector;
  /** The system meant when an argument names none. */
  defaultSystem: string | undefined;
  repository: SapRepository;
  /** The router, as the service `service:sap`; absent when the subgraph has no credentials for it. */
  router: RouterClient | undefined;
  logger: Logger;
}

/** Reads and writes SAP through the connector, for the resolvers and loaders. */
export class SapService {
  constructor(private readonly deps: SapServiceDeps) {}

  /** The system an argument names, or the default one; an unknown id is BAD_USER_INPUT on `system`. */
  system(id?: string | null): SapSystem {
    const name = id ?? this.deps.defaultSystem;
    if (!name) throw badUserInput([{ field: 'system', message: 'no SAP system is configured (SAP_SYSTEMS)' }]);
    return this.deps.connector.system(name);
  }

  systemId(id?: string | null): string {
    return this.system(id).id;
  }

  systems(): SapSystemView[] {
    return this.deps.connector.systems().map((system) => {
      const status = system.status();
      return {
        id: system.id,
        type: system.config.type,
        baseUrl: system.config.url,
        client: system.config.client,
        reachable: status.reachable,
        circuit: CIRCUIT[status.circuit] ?? 'CLOSED',
        poolSize: status.poolSize,
        poolInUse: status.poolInUse,
        lastError: status.lastError?.message ?? null,
        lastErrorAt: status.lastError?.at ?? null,
        lastSuccessAt: status.lastSuccessAt,
        isDefault: system.id === this.deps.defaultSystem,
      };
    });
  }

  /** Entities of `entitySet` whose `property` is one of `values`, by that property: one request per chunk of values (see listAnyOf). */
  private async byKeys<Row>(systemId: string, service: ODataServiceName, entitySet: keyof typeof SELECTS, property: string, values: string[], map: (system: string, entity: ODataEntity) => Row, expand?: string[]): Promise<Map<string, Row>> {
    const system = this.system(systemId);
    const entities = await system.odata.listAnyOf(service, entitySet, property, values, { select: SELECTS[entitySet], expand });
    return new Map(entities.map((entity) => [String(entity[property]), map(system.id, entity)]));
  }

  businessPartnersByIds(system: string, ids: string[]): Promise<Map<string, BusinessPartnerRow>> {
    return this.byKeys(system, 'businessPartner', 'A_BusinessPartner', 'BusinessPartner', ids, toBusinessPartner);
  }

  customersByIds(system: string, ids: string[]): Promise<Map<string, SapCustomerRow>> {
    return this.byKeys(system, 'businessPartner', 'A_Customer', 'Customer', ids, toSapCustomer);
  }

  suppliersByIds(system: string, ids: string[]): Promise<Map<string, SupplierRow>> {
    return this.byKeys(system, 'businessPartner', 'A_Supplier', 'Supplier', ids, toSupplier);
  }

  productsByIds(system: string, ids: string[]): Promise<Map<string, ProductRow>> {
    return this.byKeys(system, 'product', 'A_Product', 'Product', ids, toProduct);
  }

  salesOrdersByIds(system: string, ids: string[]): Promise<Map<string, SalesOrderRow>> {
    return this.byKeys(system, 'salesOrder', 'A_SalesOrder', 'SalesOrder', ids, toSalesOrder, ['to_Item']);
  }

  /** By PurchaseOrderByCustomer; of several orders with one reference, the newest. */
  async salesOrdersByReferences(system: string, references: string[]): Promise<Map<string, SalesOrderRow>> {
    const byId = await this.byKeys(system, 'salesOrder', 'A_SalesOrder', 'PurchaseOrderByCustomer', references, toSalesOrder, ['to_Item']);
    return new Map([...byId.values()].map((row) => [row.purchaseOrderByCustomer!, row]));
  }

  /** One page of an entity set with its total ($inlinecount=allpages). */
  private async page<Row>(systemId: string | null | undefined, service: ODataServiceName, entitySet: keyof typeof SELECTS, filters: string[], orderby: string[], page: ODataPage, map: (system: string, entity: ODataEntity) => Row, expand?: string[]): Promise<ODataConnection<Row>> {
    const system = this.system(systemId);
    const { results, count } = await system.odata.list(service, entitySet, {
      filter: filters.length > 0 ? filters.map((filter) => `(${filter})`).join(' and ') : undefined,
      select: SELECTS[entitySet],
      expand,
      orderby,
      top: page.top,
      skip: page.skip,
      inlineCount: true,
    });
    return toODataConnection(
      results.map((entity) => map(system.id, entity)),
      page,
      count ?? page.skip + results.length,
    );
  }

  businessPartners(system: string | null | undefined, args: { search?: string | null; category?: BusinessPartnerCategory | null }, page: ODataPage): Promise<ODataConnection<BusinessPartnerRow>> {
    const filters: string[] = [];
    if (args.search) filters.push(`substringof(${literal(args.search)},SearchTerm1) or substringof(${literal(args.search)},BusinessPartnerFullName)`);
    if (args.category) filters.push(`BusinessPartnerCategory eq ${literal(categoryCode(args.category))}`);
    return this.page(system, 'businessPartner', 'A_BusinessPartner', filters, ['BusinessPartner'], page, toBusinessPartner);
  }

  suppliers(system: string | null | undefined, args: { search?: string | null }, page: ODataPage): Promise<ODataConnection<SupplierRow>> {
    const filters = args.search ? [`substringof(${literal(args.search)},SupplierName)`] : [];
    return this.page(system, 'businessPartner', 'A_Supplier', filters, ['Supplier'], page, toSupplier);
  }

  products(system: string | null | undefined, args: { type?: string | null; group?: string | null }, page: ODataPage): Promise<ODataConnection<ProductRow>> {
    const filters: string[] = [];
    if (args.type) filters.push(`ProductType eq ${literal(args.type)}`);
    if (args.group) filters.push(`ProductGroup eq ${literal(args.group)}`);
    return this.page(system, 'product', 'A_Product', filters, ['Product'], page, toProduct);
  }

  salesOrders(system: string | null | undefined, args: { soldToParty?: string | null; processingStatus?: SalesOrderProcessingStatus | null }, page: ODataPage): Promise<ODataConnection<SalesOrderRow>> {
    const filters: string[] = [];
    if (args.soldToParty) filters.push(`SoldToParty eq ${literal(alphaKey(args.soldToParty))}`);
    if (args.processingStatus) filters.push(`OverallSDProcessStatus eq ${literal(processingStatusCode(args.processingStatus))}`);
    return this.page(system, 'salesOrder', 'A_SalesOrder', filters, ['SalesOrder desc'], page, toSalesOrder, ['to_Item']);
  }

  /**
   * Changes a business partner with If-Match: the given ETag, or the current one read first. A
   * change by someone else in between is SAP_CONFLICT (412). Answers the partner as it is now.
   */
  async updateBusinessPartner(systemId: string | null | undefined, id: string, change: BusinessPartnerChange, etag: string | null | undefined): Promise<BusinessPartnerRow> {
    const system = this.system(systemId);
    const changes: Record<string, unknown> = {};
    for (const [field, property] of Object.entries(CHANGE_PROPERTIES) as [keyof BusinessPartnerChange, string][]) {
      const value = change[field];
      if (value === undefined) continue;
      if (field === 'isBlocked') changes[property] = Boolean(value);
      else if (value !== null && String(value).length > 80) throw badUserInput([{ field: `input.${field}`, message: 'must be at most 80 characters' }]);
      else changes[property] = value ?? '';
    }
    if (Object.keys(changes).length === 0) throw badUserInput([{ field: 'input', message: 'must change at least one field' }]);
    const service = 'businessPartner';
    const key = alphaKey(id);
    let ifMatch = etag ?? undefined;
    if (!ifMatch) {
      const current = await system.odata.get(service, 'A_BusinessPartner', key, { select: SELECTS.A_BusinessPartner });
      if (!current) throw notFound('BusinessPartner', key);
      ifMatch = String(current.__etag ?? '*');
    }
    await system.odata.update(service, 'A_BusinessPartner', key, changes, ifMatch);
    const updated = await system.odata.get(service, 'A_BusinessPartner', key, { select: SELECTS.A_BusinessPartner });
    if (!updated) throw notFound('BusinessPartner', key);
    return toBusinessPartner(system.id, updated);
  }

  /** A function module's call for an admin; with `commit`, in a stateful session with BAPI_TRANSACTION_COMMIT or ROLLBACK. */
  async callFunction(systemId: string | null | undefined, name: string, importing: unknown, tables: unknown, commit: boolean) {
    if (!/^[A-Z0-9_/]{1,30}$/.test(name)) throw badUserInput([{ field: 'name', message: 'must be a function module name: 1 to 30 upper-case letters, digits, "_" or "/"' }]);
    const objectOf = (value: unknown, field: string) => {
      if (value === null || value === undefined) return {};
      if (typeof value !== 'object' || Array.isArray(value)) throw badUserInput([{ field, message: 'must be a JSON object' }]);
      return value as Record<string, unknown>;
    };
    const params = objectOf(importing, 'importing');
    const tableRows = objectOf(tables, 'tables');
    for (const [table, rows] of Object.entries(tableRows)) {
      if (!Array.isArray(rows) || rows.some((row) => row === null || typeof row !== 'object' || Array.isArray(row))) {
        throw badUserInput([{ field: `tables.${table}`, message: 'must be an array of objects (rows)' }]);
      }
    }
    const system = this.system(systemId);
    const call = { importing: params, tables: tableRows as Record<string, Record<string, unknown>[]> };
    return commit ? system.rfc.transaction((session) => session.call(name, call)) : system.rfc.call(name, call);
  }

  /**
   * Sends a hub order as an ORDERS05 IDoc: reads the order and its customer through the router (as
   * `service:sap`), posts the IDoc, and records it with its `sap.idoc_sent` event. The customer's
   * externalId is the sold-to party, each line's SKU a material.
   */
  async sendOrder(orderId: string, systemId: string | null | undefined, requestId: string): Promise<IdocRow> {
    const system = this.system(systemId);
    const order = await this.hubOrder(orderId, requestId);
    const soldTo = order.customer?.externalId;
    if (!soldTo) throw badUserInput([{ field: 'orderId', message: "the order's customer has no externalId (its number in SAP)" }]);
    const xml = buildOrders05(system.config, {
      orderNumber: order.number,
      orderDate: new Date(order.createdAt),
      currency: order.currency,
      soldTo: alphaKey(soldTo),
      items: order.lines.map((line, index) => ({ position: String((index + 1) * 10).padStart(6, '0'), material: line.sku, quantity: String(line.quantity), unit: 'EA', netPrice: line.unitPrice })),
    });
    const sent = await system.idoc.send(xml);
    return this.deps.repository.recordSent(
      { system: system.id, docnum: sent.docnum, orderId: order.id, orderNumber: order.number, statusCode: '03', statusText: 'Data passed to port OK' },
      (row) => idocEvent(row, requestId),
    );
  }

  private async hubOrder(orderId: string, requestId: string): Promise<HubOrder> {
    const router = this.deps.router;
    if (!router) throw dependencyUnavailable('router (the sap subgraph has no credentials for it: set ROUTER_URL and ROUTER_API_KEY)');
    let result;
    try {
      result = await router.execute<{ order: HubOrder | null }>(HUB_ORDER, { id: orderId }, requestId);
    } catch (error) {
      if (error instanceof RouterUnreachable) throw dependencyUnavailable('router', error);
      throw error;
    }
    if (result.errors) {
      const [first] = result.errors;
      if (first!.code === ErrorCode.BadUserInput) throw badUserInput([{ field: 'orderId', message: first!.message }]);
      throw new GraphQLError(`Reading order ${orderId} failed: ${first!.message}`, { extensions: { code: first!.code === ErrorCode.NotFound ? ErrorCode.NotFound : ErrorCode.DependencyUnavailable, service: 'router' } });
    }
    if (!result.data.order) throw notFound('Order', orderId);
    return result.data.order;
  }
}
