import { badUserInput } from '../../infra/errors.js';
import { MAX_PAGE_SIZE, type PageInfo } from '../../infra/db/pagination.js';

/**
 * SAP's entities as the GraphQL types return them, mapped from the OData v2 properties of
 * API_BUSINESS_PARTNER, API_PRODUCT_SRV and API_SALES_ORDER_SRV (values already converted by the
 * connector: date-times as ISO strings, decimals as exact strings).
 */

export type ODataEntity = Record<string, unknown>;

/** The hub's entities as the sap subgraph sees them: the key and the field its links require. */
export interface CustomerRef {
  id: string;
  externalId?: string | null;
}

export interface OrderRef {
  id: string;
  number?: string;
}

export type BusinessPartnerCategory = 'PERSON' | 'ORGANIZATION' | 'GROUP';
export type SalesOrderProcessingStatus = 'NOT_RELEVANT' | 'NOT_PROCESSED' | 'PARTIALLY_PROCESSED' | 'COMPLETELY_PROCESSED';

export interface BusinessPartnerRow {
  system: string;
  id: string;
  category: BusinessPartnerCategory;
  fullName: string | null;
  firstName: string | null;
  lastName: string | null;
  organizationName: string | null;
  searchTerm: string | null;
  grouping: string | null;
  isBlocked: boolean;
  createdAt: string | null;
  lastChangedAt: string | null;
  etag: string | null;
}

export interface SapCustomerRow {
  system: string;
  id: string;
  name: string | null;
  fullName: string | null;
  accountGroup: string | null;
  classification: string | null;
  industry: string | null;
  postingIsBlocked: boolean;
  deletionIndicator: boolean;
  createdAt: string | null;
}

export interface SupplierRow {
  system: string;
  id: string;
  name: string | null;
  fullName: string | null;
  accountGroup: string | null;
  postingIsBlocked: boolean;
  createdAt: string | null;
}

export interface ProductRow {
  system: string;
  id: string;
  type: string | null;
  group: string | null;
  baseUnit: string | null;
  grossWeight: string | null;
  weightUnit: string | null;
  isMarkedForDeletion: boolean;
  createdAt: string | null;
  lastChangedAt: string | null;
}

export interface SalesOrderItemRow {
  position: string;
  material: string | null;
  description: string | null;
  quantity: string | null;
  unit: string | null;
  netAmount: string | null;
}

export interface SalesOrderRow {
  system: string;
  id: string;
  type: string | null;
  soldToParty: string;
  purchaseOrderByCustomer: string | null;
  createdAt: string | null;
  lastChangedAt: string | null;
  totalNetAmount: string | null;
  currency: string | null;
  processingStatus: SalesOrderProcessingStatus;
  deliveryStatus: SalesOrderProcessingStatus;
  items: SalesOrderItemRow[];
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
const flag = (value: unknown): boolean => value === true || value === 'X';
/** The number of a nested to-many navigation, expanded or not: `{ results: [...] }` or an array. */
const many = (value: unknown): ODataEntity[] => {
  if (Array.isArray(value)) return value as ODataEntity[];
  const results = (value as { results?: unknown } | null | undefined)?.results;
  return Array.isArray(results) ? (results as ODataEntity[]) : [];
};

const CATEGORIES: Record<string, BusinessPartnerCategory> = { '1': 'PERSON', '2': 'ORGANIZATION', '3': 'GROUP' };
const CATEGORY_CODES = Object.fromEntries(Object.entries(CATEGORIES).map(([code, name]) => [name, code])) as Record<BusinessPartnerCategory, string>;

export function categoryCode(category: BusinessPartnerCategory): string {
  return CATEGORY_CODES[category];
}

const STATUSES: Record<string, SalesOrderProcessingStatus> = { '': 'NOT_RELEVANT', A: 'NOT_PROCESSED', B: 'PARTIALLY_PROCESSED', C: 'COMPLETELY_PROCESSED' };
const STATUS_CODES = Object.fromEntries(Object.entries(STATUSES).map(([code, name]) => [name, code])) as Record<SalesOrderProcessingStatus, string>;

export function processingStatusCode(status: SalesOrderProcessingStatus): string {
  return STATUS_CODES[status];
}

const processingStatus = (value: unknown): SalesOrderProcessingStatus => STATUSES[typeof value === 'string' ? value.trim() : ''] ?? 'NOT_RELEVANT';

export function toBusinessPartner(system: string, entity: ODataEntity): BusinessPartnerRow {
  return {
    system,
    id: String(entity.BusinessPartner),
    category: CATEGORIES[String(entity.BusinessPartnerCategory)] ?? 'ORGANIZATION',
    fullName: text(entity.BusinessPartnerFullName),
    firstName: text(entity.FirstName),
    lastName: text(entity.LastName),
    organizationName: text(entity.OrganizationBPName1),
    searchTerm: text(entity.SearchTerm1),
    grouping: text(entity.BusinessPartnerGrouping),
    isBlocked: flag(entity.BusinessPartnerIsBlocked),
    createdAt: text(entity.CreationDate),
    lastChangedAt: text(entity.LastChangeDate),
    etag: text(entity.__etag),
  };
}

export function toSapCustomer(system: string, entity: ODataEntity): SapCustomerRow {
  return {
    system,
    id: String(entity.Customer),
    name: text(entity.CustomerName),
    fullName: text(entity.CustomerFullName),
    accountGroup: text(entity.CustomerAccountGroup),
    classification: text(entity.CustomerClassification),
    industry: text(entity.Industry),
    postingIsBlocked: flag(entity.PostingIsBlocked),
    deletionIndicator: flag(entity.DeletionIndicator),
    createdAt: text(entity.CreationDate),
  };
}

export function toSupplier(system: string, entity: ODataEntity): SupplierRow {
  return {
    system,
    id: String(entity.Supplier),
    name: text(entity.SupplierName),
    fullName: text(entity.SupplierFullName),
    accountGroup: text(entity.SupplierAccountGroup),
    postingIsBlocked: flag(entity.PostingIsBlocked),
    createdAt: text(entity.CreationDate),
  };
}

export function toProduct(system: string, entity: ODataEntity): ProductRow {
  return {
    system,
    id: String(entity.Product),
    type: text(entity.ProductType),
    group: text(entity.ProductGroup),
    baseUnit: text(entity.BaseUnit),
    grossWeight: text(entity.GrossWeight),
    weightUnit: text(entity.WeightUnit),
    isMarkedForDeletion: flag(entity.IsMarkedForDeletion),
    createdAt: text(entity.CreationDate),
    lastChangedAt: text(entity.LastChangeDate),
  };
}

export function toSalesOrder(system: string, entity: ODataEntity): SalesOrderRow {
  return {
    system,
    id: String(entity.SalesOrder),
    type: text(entity.SalesOrderType),
    soldToParty: String(entity.SoldToParty ?? ''),
    purchaseOrderByCustomer: text(entity.PurchaseOrderByCustomer),
    createdAt: text(entity.CreationDate),
    lastChangedAt: text(entity.LastChangeDateTime),
    totalNetAmount: text(entity.TotalNetAmount),
    currency: text(entity.TransactionCurrency),
    processingStatus: processingStatus(entity.OverallSDProcessStatus),
    deliveryStatus: processingStatus(entity.OverallDeliveryStatus),
    items: many(entity.to_Item).map((item) => ({
      position: String(item.SalesOrderItem ?? '').replace(/^0+(?=\d)/, ''),
      material: text(item.Material),
      description: text(item.SalesOrderItemText),
      quantity: text(item.RequestedQuantity),
      unit: text(item.RequestedQuantityUnit),
      netAmount: text(item.NetAmount),
    })),
  };
}

/** The properties each GraphQL row is read from: the `$select` of the entity set's reads. */
export const SELECTS = {
  A_BusinessPartner: ['BusinessPartner', 'BusinessPartnerCategory', 'BusinessPartnerFullName', 'FirstName', 'LastName', 'OrganizationBPName1', 'SearchTerm1', 'BusinessPartnerGrouping', 'BusinessPartnerIsBlocked', 'CreationDate', 'LastChangeDate'],
  A_Customer: ['Customer', 'CustomerName', 'CustomerFullName', 'CustomerAccountGroup', 'CustomerClassification', 'Industry', 'PostingIsBlocked', 'DeletionIndicator', 'CreationDate'],
  A_Supplier: ['Supplier', 'SupplierName', 'SupplierFullName', 'SupplierAccountGroup', 'PostingIsBlocked', 'CreationDate'],
  A_Product: ['Product', 'ProductType', 'ProductGroup', 'BaseUnit', 'GrossWeight', 'WeightUnit', 'IsMarkedForDeletion', 'CreationDate', 'LastChangeDate'],
  A_SalesOrder: [
    'SalesOrder',
    'SalesOrderType',
    'SoldToParty',
    'PurchaseOrderByCustomer',
    'CreationDate',
    'LastChangeDateTime',
    'TotalNetAmount',
    'TransactionCurrency',
    'OverallSDProcessStatus',
    'OverallDeliveryStatus',
    'to_Item/SalesOrderItem',
    'to_Item/Material',
    'to_Item/SalesOrderItemText',
    'to_Item/RequestedQuantity',
    'to_Item/RequestedQuantityUnit',
    'to_Item/NetAmount',
  ],
} as const;

/** A page of an OData entity set as a GraphQL connection: the cursor is the offset ($skip) after the row. */
export interface ODataConnection<Row> {
  edges: { cursor: string; node: Row }[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
}

export interface ODataPage {
  top: number;
  skip: number;
}

const encodeOffset = (offset: number) => Buffer.from(JSON.stringify(['sap', offset])).toString('base64url');

/** `first` and `after` as $top and $skip; errors name the argument. */
export function odataPage(args: { first?: number | null; after?: string | null }): ODataPage {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw badUserInput([{ field: 'first', message: `must be between 0 and ${MAX_PAGE_SIZE}` }]);
  if (!args.after) return { top: first, skip: 0 };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(args.after, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded[0] !== 'sap' || !Number.isSafeInteger(decoded[1]) || (decoded[1] as number) < 0) {
    throw badUserInput([{ field: 'after', message: 'is not a cursor returned by this API' }]);
  }
  return { top: first, skip: decoded[1] as number };
}

/** `rows` read with $top = page.top and $inlinecount=allpages (`count`). */
export function toODataConnection<Row>(rows: Row[], page: ODataPage, count: number): ODataConnection<Row> {
  const edges = rows.map((node, index) => ({ cursor: encodeOffset(page.skip + index + 1), node }));
  return {
    edges,
    pageInfo: { hasNextPage: page.skip + rows.length < count, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: () => Promise.resolve(count),
  };
}
