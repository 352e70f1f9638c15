import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { SapSystemView } from '../sap-service.js';
import type { BusinessPartnerRow, SapCustomerRow, SupplierRow, ProductRow, SalesOrderRow, SalesOrderItemRow, ODataConnection, CustomerRef, OrderRef } from '../sap-entities.js';
import type { IdocRow, InboundIdocRow } from '../sap-repository.js';
import type { Connection } from '../../../infra/db/pagination.js';
import type { SapContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO 8601 date and time in UTC, e.g. 2026-11-27T08:15:00.000Z. */
  DateTime: { input: Date | string; output: Date | string; }
  /** An exact decimal number, serialised as a string ("1250.50") so that no client rounds it. */
  Decimal: { input: string; output: string; }
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
  _FieldSet: { input: unknown; output: unknown; }
};

/**
 * A business partner (API_BUSINESS_PARTNER, A_BusinessPartner). Names of persons are personal data:
 * cached per caller only.
 */
export type BusinessPartner = {
  __typename?: 'BusinessPartner';
  category: BusinessPartnerCategory;
  createdAt: Maybe<Scalars['DateTime']['output']>;
  /** Its customer role (A_Customer), when it has one. */
  customer: Maybe<SapCustomer>;
  /** The entity's ETag in SAP: pass it to updateBusinessPartner to change exactly this version. */
  etag: Maybe<Scalars['String']['output']>;
  firstName: Maybe<Scalars['String']['output']>;
  fullName: Maybe<Scalars['String']['output']>;
  grouping: Maybe<Scalars['String']['output']>;
  /** The business partner number, e.g. 0010000001. */
  id: Scalars['ID']['output'];
  isBlocked: Scalars['Boolean']['output'];
  lastChangedAt: Maybe<Scalars['DateTime']['output']>;
  lastName: Maybe<Scalars['String']['output']>;
  organizationName: Maybe<Scalars['String']['output']>;
  searchTerm: Maybe<Scalars['String']['output']>;
  /** Its supplier role (A_Supplier), when it has one. */
  supplier: Maybe<Supplier>;
  /** The SAP system it was read from. */
  system: Scalars['ID']['output'];
};

export type BusinessPartnerCategory =
  | 'GROUP'
  | 'ORGANIZATION'
  | 'PERSON';

export type BusinessPartnerChangeInput = {
  firstName?: InputMaybe<Scalars['String']['input']>;
  isBlocked?: InputMaybe<Scalars['Boolean']['input']>;
  lastName?: InputMaybe<Scalars['String']['input']>;
  organizationName?: InputMaybe<Scalars['String']['input']>;
  searchTerm?: InputMaybe<Scalars['String']['input']>;
};

export type BusinessPartnerConnection = {
  __typename?: 'BusinessPartnerConnection';
  edges: Array<BusinessPartnerEdge>;
  pageInfo: PageInfo;
  /** All matching business partners (SAP's $inlinecount), not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type BusinessPartnerEdge = {
  __typename?: 'BusinessPartnerEdge';
  cursor: Scalars['String']['output'];
  node: BusinessPartner;
};

/** Cache hints read by Apollo Server; the router caps a response's Cache-Control by every subgraph's. */
export type CacheControlScope =
  | 'PRIVATE'
  | 'PUBLIC';

export type Customer = {
  __typename?: 'Customer';
  externalId: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /**
   * The customer's business partner in SAP: the one whose number is the customer's externalId. Null
   * when it has none, or (with an SAP_UNAVAILABLE error) when the system does not answer.
   */
  sapBusinessPartner: Maybe<BusinessPartner>;
};


export type CustomerSapBusinessPartnerArgs = {
  system?: InputMaybe<Scalars['ID']['input']>;
};

export type IdocStatus =
  /** 51: SAP could not post it; statusText says why. */
  | 'FAILED'
  /** 53: posted; the sales order exists. */
  | 'POSTED'
  /** 03: passed to SAP, not yet posted. */
  | 'SENT';

/** An IDoc SAP sent to the hub (POST /sap/idoc), kept as received, valid or not, for inspection. */
export type InboundIdoc = {
  __typename?: 'InboundIdoc';
  /** The IDoc number in the control record. */
  docnum: Maybe<Scalars['String']['output']>;
  /** Why it was rejected, or why forwarding it is still failing. */
  error: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  /** The message type (DEBMAS, MATMAS, ORDERS), when the document could be read. */
  messageType: Maybe<Scalars['String']['output']>;
  processedAt: Maybe<Scalars['DateTime']['output']>;
  /** The document as received. */
  raw: Scalars['String']['output'];
  receivedAt: Scalars['DateTime']['output'];
  status: InboundIdocStatus;
};

export type InboundIdocConnection = {
  __typename?: 'InboundIdocConnection';
  edges: Array<InboundIdocEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type InboundIdocEdge = {
  __typename?: 'InboundIdocEdge';
  cursor: Scalars['String']['output'];
  node: InboundIdoc;
};

export type InboundIdocStatus =
  /** Accepted and turned into its message or event. */
  | 'PROCESSED'
  /** Accepted; its customer_updated message is not yet on the queue (it is retried). */
  | 'RECEIVED'
  /** Not valid XML, not an IDoc, or an IDoc type the hub does not take. */
  | 'REJECTED';

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Calls a function module over SOAP-RFC with `importing` (an object of parameters) and `tables`
   * (an object of arrays of rows). With `commit`, it runs in a stateful session followed by
   * BAPI_TRANSACTION_COMMIT (WAIT = X), or BAPI_TRANSACTION_ROLLBACK when it fails. Admins only.
   */
  callSapFunction: SapFunctionResult;
  /**
   * Sends a hub order to SAP as an ORDERS05 IDoc (its customer's externalId is the sold-to party,
   * its lines' SKUs the materials). Returns the IDoc; its status follows (events sap.idoc_posted or
   * sap.idoc_failed).
   */
  sendOrderToSap: SapIdoc;
  /**
   * Changes a business partner in SAP (OData MERGE with If-Match). Pass the `etag` you read to change
   * exactly that version (another change since is SAP_CONFLICT); without it the current one is read first.
   */
  updateBusinessPartner: BusinessPartner;
};


export type MutationCallSapFunctionArgs = {
  commit?: InputMaybe<Scalars['Boolean']['input']>;
  importing?: InputMaybe<Scalars['JSON']['input']>;
  name: Scalars['String']['input'];
  system?: InputMaybe<Scalars['ID']['input']>;
  tables?: InputMaybe<Scalars['JSON']['input']>;
};


export type MutationSendOrderToSapArgs = {
  orderId: Scalars['ID']['input'];
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationUpdateBusinessPartnerArgs = {
  etag?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
  input: BusinessPartnerChangeInput;
  system?: InputMaybe<Scalars['ID']['input']>;
};

export type Order = {
  __typename?: 'Order';
  id: Scalars['ID']['output'];
  number: Scalars['String']['output'];
  /** The sales order SAP made of this order (its purchaseOrderByCustomer is the order's number). */
  sapSalesOrder: Maybe<SalesOrder>;
  /** Null, with an SAP_UNAVAILABLE error, when the system does not answer. */
  sapStatus: Maybe<SapOrderStatus>;
};


export type OrderSapSalesOrderArgs = {
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type OrderSapStatusArgs = {
  system?: InputMaybe<Scalars['ID']['input']>;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** A product (API_PRODUCT_SRV, A_Product): master data without anything personal, cached for everyone. */
export type Product = {
  __typename?: 'Product';
  baseUnit: Maybe<Scalars['String']['output']>;
  createdAt: Maybe<Scalars['DateTime']['output']>;
  grossWeight: Maybe<Scalars['Decimal']['output']>;
  group: Maybe<Scalars['String']['output']>;
  /** The material number (MATNR). */
  id: Scalars['ID']['output'];
  isMarkedForDeletion: Scalars['Boolean']['output'];
  lastChangedAt: Maybe<Scalars['DateTime']['output']>;
  system: Scalars['ID']['output'];
  type: Maybe<Scalars['String']['output']>;
  weightUnit: Maybe<Scalars['String']['output']>;
};

export type ProductConnection = {
  __typename?: 'ProductConnection';
  edges: Array<ProductEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ProductEdge = {
  __typename?: 'ProductEdge';
  cursor: Scalars['String']['output'];
  node: Product;
};

export type Query = {
  __typename?: 'Query';
  businessPartner: Maybe<BusinessPartner>;
  /** `search` matches the search term or name (SAP's substringof); `first` is at most 100. */
  businessPartners: BusinessPartnerConnection;
  inboundIdocs: InboundIdocConnection;
  product: Maybe<Product>;
  products: ProductConnection;
  salesOrder: Maybe<SalesOrder>;
  salesOrders: SalesOrderConnection;
  sapCustomer: Maybe<SapCustomer>;
  /** The IDocs sent for a hub order, newest first. */
  sapIdocs: Array<SapIdoc>;
  sapSystems: Array<SapSystem>;
  supplier: Maybe<Supplier>;
  suppliers: SupplierConnection;
};


export type QueryBusinessPartnerArgs = {
  id: Scalars['ID']['input'];
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryBusinessPartnersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  category?: InputMaybe<BusinessPartnerCategory>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryInboundIdocsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<InboundIdocStatus>;
};


export type QueryProductArgs = {
  id: Scalars['ID']['input'];
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  group?: InputMaybe<Scalars['String']['input']>;
  system?: InputMaybe<Scalars['ID']['input']>;
  type?: InputMaybe<Scalars['String']['input']>;
};


export type QuerySalesOrderArgs = {
  id: Scalars['ID']['input'];
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySalesOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  processingStatus?: InputMaybe<SalesOrderProcessingStatus>;
  soldToParty?: InputMaybe<Scalars['String']['input']>;
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySapCustomerArgs = {
  id: Scalars['ID']['input'];
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySapIdocsArgs = {
  orderId: Scalars['ID']['input'];
};


export type QuerySupplierArgs = {
  id: Scalars['ID']['input'];
  system?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySuppliersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  search?: InputMaybe<Scalars['String']['input']>;
  system?: InputMaybe<Scalars['ID']['input']>;
};

/** A sales order in SAP (API_SALES_ORDER_SRV, A_SalesOrder). */
export type SalesOrder = {
  __typename?: 'SalesOrder';
  createdAt: Maybe<Scalars['DateTime']['output']>;
  currency: Maybe<Scalars['String']['output']>;
  deliveryStatus: SalesOrderProcessingStatus;
  /** The sales order number (VBELN). */
  id: Scalars['ID']['output'];
  items: Array<SalesOrderItem>;
  lastChangedAt: Maybe<Scalars['DateTime']['output']>;
  processingStatus: SalesOrderProcessingStatus;
  /** The customer's reference: for orders the hub sent, the hub order's number. */
  purchaseOrderByCustomer: Maybe<Scalars['String']['output']>;
  /** The sold-to party's customer number. */
  soldToParty: Scalars['String']['output'];
  system: Scalars['ID']['output'];
  totalNetAmount: Maybe<Scalars['Decimal']['output']>;
  type: Maybe<Scalars['String']['output']>;
};

export type SalesOrderConnection = {
  __typename?: 'SalesOrderConnection';
  edges: Array<SalesOrderEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type SalesOrderEdge = {
  __typename?: 'SalesOrderEdge';
  cursor: Scalars['String']['output'];
  node: SalesOrder;
};

export type SalesOrderItem = {
  __typename?: 'SalesOrderItem';
  description: Maybe<Scalars['String']['output']>;
  material: Maybe<Scalars['String']['output']>;
  netAmount: Maybe<Scalars['Decimal']['output']>;
  /** The item number, e.g. 10. */
  position: Scalars['String']['output'];
  quantity: Maybe<Scalars['Decimal']['output']>;
  unit: Maybe<Scalars['String']['output']>;
};

/** SAP's overall status codes: blank or A, B, C. */
export type SalesOrderProcessingStatus =
  | 'COMPLETELY_PROCESSED'
  | 'NOT_PROCESSED'
  | 'NOT_RELEVANT'
  | 'PARTIALLY_PROCESSED';

/** The system's circuit breaker: OPEN answers SAP_UNAVAILABLE at once, without a request, until a trial call (HALF_OPEN) succeeds. */
export type SapCircuitState =
  | 'CLOSED'
  | 'HALF_OPEN'
  | 'ISOLATED'
  | 'OPEN';

/** A business partner's customer role (A_Customer). */
export type SapCustomer = {
  __typename?: 'SapCustomer';
  accountGroup: Maybe<Scalars['String']['output']>;
  classification: Maybe<Scalars['String']['output']>;
  createdAt: Maybe<Scalars['DateTime']['output']>;
  deletionIndicator: Scalars['Boolean']['output'];
  fullName: Maybe<Scalars['String']['output']>;
  /** The customer number (KUNNR). */
  id: Scalars['ID']['output'];
  industry: Maybe<Scalars['String']['output']>;
  name: Maybe<Scalars['String']['output']>;
  postingIsBlocked: Scalars['Boolean']['output'];
  /** The customer's sales orders in SAP, newest first. */
  salesOrders: Maybe<SalesOrderConnection>;
  system: Scalars['ID']['output'];
};


/** A business partner's customer role (A_Customer). */
export type SapCustomerSalesOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type SapFunctionResult = {
  __typename?: 'SapFunctionResult';
  /** The exporting parameters, by name: strings, or objects of strings for structures. */
  exporting: Scalars['JSON']['output'];
  /** The tables, by name: arrays of objects of strings. */
  tables: Scalars['JSON']['output'];
  /** Warnings and information from the RETURN table. */
  warnings: Array<SapMessage>;
};

/**
 * An ORDERS05 IDoc the hub sent for one of its orders (sendOrderToSap), and its status in SAP, read
 * back from the system's IDoc control records (EDIDC) until it is posted or failed.
 */
export type SapIdoc = {
  __typename?: 'SapIdoc';
  /** The IDoc number SAP gave it. */
  docnum: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** The hub order it carries. */
  orderId: Scalars['ID']['output'];
  orderNumber: Scalars['String']['output'];
  sentAt: Scalars['DateTime']['output'];
  status: IdocStatus;
  /** SAP's status code: 03 sent, 64 ready, 53 posted, 51 error, … */
  statusCode: Scalars['String']['output'];
  statusText: Maybe<Scalars['String']['output']>;
  system: Scalars['ID']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

/** A BAPI message (its RETURN table): types W (warning) and I (information); E and A are errors. */
export type SapMessage = {
  __typename?: 'SapMessage';
  field: Maybe<Scalars['String']['output']>;
  id: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
  number: Maybe<Scalars['String']['output']>;
  type: Scalars['String']['output'];
};

/** A hub order's state in SAP: from its latest IDoc and, once posted, its sales order. */
export type SapOrderStatus =
  /** The sales order is completely processed. */
  | 'COMPLETED'
  /** SAP could not post the IDoc. */
  | 'FAILED'
  /** The sales order is partly processed. */
  | 'IN_PROCESS'
  /** Never sent to SAP. */
  | 'NOT_SENT'
  /** Posted: the sales order is open. */
  | 'OPEN'
  /** Sent; SAP has not posted it yet. */
  | 'SENT';

/**
 * An SAP system the hub is connected to (SAP_SYSTEMS), as this replica of the sap subgraph sees it.
 * `system` arguments name one by its id; without one, the default system (SAP_DEFAULT_SYSTEM) is meant.
 */
export type SapSystem = {
  __typename?: 'SapSystem';
  /** The base URL, without credentials. */
  baseUrl: Scalars['String']['output'];
  circuit: SapCircuitState;
  /** The SAP client (sap-client). */
  client: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Whether this is the system meant when an argument names none. */
  isDefault: Scalars['Boolean']['output'];
  /** The last failure's message (no credentials in it). */
  lastError: Maybe<Scalars['String']['output']>;
  lastErrorAt: Maybe<Scalars['DateTime']['output']>;
  lastSuccessAt: Maybe<Scalars['DateTime']['output']>;
  /** Requests in flight to the system now. */
  poolInUse: Scalars['Int']['output'];
  /** HTTP connections the system's pool may open. */
  poolSize: Scalars['Int']['output'];
  /** Whether the last request reached it (any answer from SAP counts); null before the first request. */
  reachable: Maybe<Scalars['Boolean']['output']>;
  type: SapSystemType;
};

export type SapSystemType =
  | 'BW'
  | 'CRM'
  | 'ERP'
  | 'OTHER'
  | 'S4HANA';

/** A business partner's supplier role (A_Supplier). */
export type Supplier = {
  __typename?: 'Supplier';
  accountGroup: Maybe<Scalars['String']['output']>;
  createdAt: Maybe<Scalars['DateTime']['output']>;
  fullName: Maybe<Scalars['String']['output']>;
  /** The supplier number (LIFNR). */
  id: Scalars['ID']['output'];
  name: Maybe<Scalars['String']['output']>;
  postingIsBlocked: Scalars['Boolean']['output'];
  system: Scalars['ID']['output'];
};

export type SupplierConnection = {
  __typename?: 'SupplierConnection';
  edges: Array<SupplierEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type SupplierEdge = {
  __typename?: 'SupplierEdge';
  cursor: Scalars['String']['output'];
  node: Supplier;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Customer: Customer;
  Order: Order;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Customer:
    ( { __typename: 'Customer' }
    & GraphQLRecursivePick<FederationTypes['Customer'], {"id":true}>
    & ( Record<PropertyKey, never>
        | GraphQLRecursivePick<FederationTypes['Customer'], {"externalId":true}> ) );
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}>
    & ( Record<PropertyKey, never>
        | GraphQLRecursivePick<FederationTypes['Order'], {"number":true}>
        | GraphQLRecursivePick<FederationTypes['Order'], {"number":true}>
        | GraphQLRecursivePick<FederationTypes['Order'], {"number":true}> ) );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  BusinessPartner: ResolverTypeWrapper<BusinessPartnerRow>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  BusinessPartnerCategory: BusinessPartnerCategory;
  BusinessPartnerChangeInput: BusinessPartnerChangeInput;
  BusinessPartnerConnection: ResolverTypeWrapper<ODataConnection<BusinessPartnerRow>>;
  BusinessPartnerEdge: ResolverTypeWrapper<Omit<BusinessPartnerEdge, 'node'> & { node: ResolversTypes['BusinessPartner'] }>;
  CacheControlScope: CacheControlScope;
  Customer: ResolverTypeWrapper<CustomerRef>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  IdocStatus: IdocStatus;
  InboundIdoc: ResolverTypeWrapper<InboundIdocRow>;
  InboundIdocConnection: ResolverTypeWrapper<Connection<InboundIdocRow>>;
  InboundIdocEdge: ResolverTypeWrapper<Omit<InboundIdocEdge, 'node'> & { node: ResolversTypes['InboundIdoc'] }>;
  InboundIdocStatus: InboundIdocStatus;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Order: ResolverTypeWrapper<OrderRef>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Product: ResolverTypeWrapper<ProductRow>;
  ProductConnection: ResolverTypeWrapper<ODataConnection<ProductRow>>;
  ProductEdge: ResolverTypeWrapper<Omit<ProductEdge, 'node'> & { node: ResolversTypes['Product'] }>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SalesOrder: ResolverTypeWrapper<SalesOrderRow>;
  SalesOrderConnection: ResolverTypeWrapper<ODataConnection<SalesOrderRow>>;
  SalesOrderEdge: ResolverTypeWrapper<Omit<SalesOrderEdge, 'node'> & { node: ResolversTypes['SalesOrder'] }>;
  SalesOrderItem: ResolverTypeWrapper<SalesOrderItemRow>;
  SalesOrderProcessingStatus: SalesOrderProcessingStatus;
  SapCircuitState: SapCircuitState;
  SapCustomer: ResolverTypeWrapper<SapCustomerRow>;
  SapFunctionResult: ResolverTypeWrapper<SapFunctionResult>;
  SapIdoc: ResolverTypeWrapper<IdocRow>;
  SapMessage: ResolverTypeWrapper<SapMessage>;
  SapOrderStatus: SapOrderStatus;
  SapSystem: ResolverTypeWrapper<SapSystemView>;
  SapSystemType: SapSystemType;
  Supplier: ResolverTypeWrapper<SupplierRow>;
  SupplierConnection: ResolverTypeWrapper<ODataConnection<SupplierRow>>;
  SupplierEdge: ResolverTypeWrapper<Omit<SupplierEdge, 'node'> & { node: ResolversTypes['Supplier'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  BusinessPartner: BusinessPartnerRow;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  BusinessPartnerChangeInput: BusinessPartnerChangeInput;
  BusinessPartnerConnection: ODataConnection<BusinessPartnerRow>;
  BusinessPartnerEdge: Omit<BusinessPartnerEdge, 'node'> & { node: ResolversParentTypes['BusinessPartner'] };
  Customer: CustomerRef;
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  InboundIdoc: InboundIdocRow;
  InboundIdocConnection: Connection<InboundIdocRow>;
  InboundIdocEdge: Omit<InboundIdocEdge, 'node'> & { node: ResolversParentTypes['InboundIdoc'] };
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  Order: OrderRef;
  PageInfo: PageInfo;
  Product: ProductRow;
  ProductConnection: ODataConnection<ProductRow>;
  ProductEdge: Omit<ProductEdge, 'node'> & { node: ResolversParentTypes['Product'] };
  Query: Record<PropertyKey, never>;
  SalesOrder: SalesOrderRow;
  SalesOrderConnection: ODataConnection<SalesOrderRow>;
  SalesOrderEdge: Omit<SalesOrderEdge, 'node'> & { node: ResolversParentTypes['SalesOrder'] };
  SalesOrderItem: SalesOrderItemRow;
  SapCustomer: SapCustomerRow;
  SapFunctionResult: SapFunctionResult;
  SapIdoc: IdocRow;
  SapMessage: SapMessage;
  SapSystem: SapSystemView;
  Supplier: SupplierRow;
  SupplierConnection: ODataConnection<SupplierRow>;
  SupplierEdge: Omit<SupplierEdge, 'node'> & { node: ResolversParentTypes['Supplier'] };
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = SapContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type BusinessPartnerResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['BusinessPartner'] = ResolversParentTypes['BusinessPartner']> = ResolversObject<{
  category?: Resolver<ResolversTypes['BusinessPartnerCategory'], ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  customer?: Resolver<Maybe<ResolversTypes['SapCustomer']>, ParentType, ContextType>;
  etag?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  firstName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  fullName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  grouping?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  isBlocked?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  lastChangedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  lastName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  organizationName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  searchTerm?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  supplier?: Resolver<Maybe<ResolversTypes['Supplier']>, ParentType, ContextType>;
  system?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type BusinessPartnerConnectionResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['BusinessPartnerConnection'] = ResolversParentTypes['BusinessPartnerConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['BusinessPartnerEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type BusinessPartnerEdgeResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['BusinessPartnerEdge'] = ResolversParentTypes['BusinessPartnerEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['BusinessPartner'], ParentType, ContextType>;
}>;

export type CustomerResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  sapBusinessPartner?: Resolver<Maybe<ResolversTypes['BusinessPartner']>, ParentType, ContextType, Partial<CustomerSapBusinessPartnerArgs>>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type InboundIdocResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['InboundIdoc'] = ResolversParentTypes['InboundIdoc']> = ResolversObject<{
  docnum?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  messageType?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  processedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  raw?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  receivedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['InboundIdocStatus'], ParentType, ContextType>;
}>;

export type InboundIdocConnectionResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['InboundIdocConnection'] = ResolversParentTypes['InboundIdocConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['InboundIdocEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type InboundIdocEdgeResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['InboundIdocEdge'] = ResolversParentTypes['InboundIdocEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['InboundIdoc'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  callSapFunction?: Resolver<ResolversTypes['SapFunctionResult'], ParentType, ContextType, RequireFields<MutationCallSapFunctionArgs, 'commit' | 'name'>>;
  sendOrderToSap?: Resolver<ResolversTypes['SapIdoc'], ParentType, ContextType, RequireFields<MutationSendOrderToSapArgs, 'orderId'>>;
  updateBusinessPartner?: Resolver<ResolversTypes['BusinessPartner'], ParentType, ContextType, RequireFields<MutationUpdateBusinessPartnerArgs, 'id' | 'input'>>;
}>;

export type OrderResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  sapSalesOrder?: Resolver<Maybe<ResolversTypes['SalesOrder']>, ParentType, ContextType, Partial<OrderSapSalesOrderArgs>>;
  sapStatus?: Resolver<Maybe<ResolversTypes['SapOrderStatus']>, ParentType, ContextType, Partial<OrderSapStatusArgs>>;
}>;

export type PageInfoResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type ProductResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product']> = ResolversObject<{
  baseUnit?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  grossWeight?: Resolver<Maybe<ResolversTypes['Decimal']>, ParentType, ContextType>;
  group?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  isMarkedForDeletion?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  lastChangedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  system?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  type?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  weightUnit?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ProductConnectionResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['ProductConnection'] = ResolversParentTypes['ProductConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ProductEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ProductEdgeResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['ProductEdge'] = ResolversParentTypes['ProductEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  businessPartner?: Resolver<Maybe<ResolversTypes['BusinessPartner']>, ParentType, ContextType, RequireFields<QueryBusinessPartnerArgs, 'id'>>;
  businessPartners?: Resolver<ResolversTypes['BusinessPartnerConnection'], ParentType, ContextType, RequireFields<QueryBusinessPartnersArgs, 'first'>>;
  inboundIdocs?: Resolver<ResolversTypes['InboundIdocConnection'], ParentType, ContextType, RequireFields<QueryInboundIdocsArgs, 'first'>>;
  product?: Resolver<Maybe<ResolversTypes['Product']>, ParentType, ContextType, RequireFields<QueryProductArgs, 'id'>>;
  products?: Resolver<ResolversTypes['ProductConnection'], ParentType, ContextType, RequireFields<QueryProductsArgs, 'first'>>;
  salesOrder?: Resolver<Maybe<ResolversTypes['SalesOrder']>, ParentType, ContextType, RequireFields<QuerySalesOrderArgs, 'id'>>;
  salesOrders?: Resolver<ResolversTypes['SalesOrderConnection'], ParentType, ContextType, RequireFields<QuerySalesOrdersArgs, 'first'>>;
  sapCustomer?: Resolver<Maybe<ResolversTypes['SapCustomer']>, ParentType, ContextType, RequireFields<QuerySapCustomerArgs, 'id'>>;
  sapIdocs?: Resolver<Array<ResolversTypes['SapIdoc']>, ParentType, ContextType, RequireFields<QuerySapIdocsArgs, 'orderId'>>;
  sapSystems?: Resolver<Array<ResolversTypes['SapSystem']>, ParentType, ContextType>;
  supplier?: Resolver<Maybe<ResolversTypes['Supplier']>, ParentType, ContextType, RequireFields<QuerySupplierArgs, 'id'>>;
  suppliers?: Resolver<ResolversTypes['SupplierConnection'], ParentType, ContextType, RequireFields<QuerySuppliersArgs, 'first'>>;
}>;

export type SalesOrderResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SalesOrder'] = ResolversParentTypes['SalesOrder']> = ResolversObject<{
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  currency?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  deliveryStatus?: Resolver<ResolversTypes['SalesOrderProcessingStatus'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  items?: Resolver<Array<ResolversTypes['SalesOrderItem']>, ParentType, ContextType>;
  lastChangedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  processingStatus?: Resolver<ResolversTypes['SalesOrderProcessingStatus'], ParentType, ContextType>;
  purchaseOrderByCustomer?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  soldToParty?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  system?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  totalNetAmount?: Resolver<Maybe<ResolversTypes['Decimal']>, ParentType, ContextType>;
  type?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type SalesOrderConnectionResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SalesOrderConnection'] = ResolversParentTypes['SalesOrderConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['SalesOrderEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type SalesOrderEdgeResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SalesOrderEdge'] = ResolversParentTypes['SalesOrderEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['SalesOrder'], ParentType, ContextType>;
}>;

export type SalesOrderItemResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SalesOrderItem'] = ResolversParentTypes['SalesOrderItem']> = ResolversObject<{
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  material?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  netAmount?: Resolver<Maybe<ResolversTypes['Decimal']>, ParentType, ContextType>;
  position?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  quantity?: Resolver<Maybe<ResolversTypes['Decimal']>, ParentType, ContextType>;
  unit?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type SapCustomerResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SapCustomer'] = ResolversParentTypes['SapCustomer']> = ResolversObject<{
  accountGroup?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  classification?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  deletionIndicator?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  fullName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  industry?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  postingIsBlocked?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  salesOrders?: Resolver<Maybe<ResolversTypes['SalesOrderConnection']>, ParentType, ContextType, RequireFields<SapCustomerSalesOrdersArgs, 'first'>>;
  system?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type SapFunctionResultResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SapFunctionResult'] = ResolversParentTypes['SapFunctionResult']> = ResolversObject<{
  exporting?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  tables?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  warnings?: Resolver<Array<ResolversTypes['SapMessage']>, ParentType, ContextType>;
}>;

export type SapIdocResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SapIdoc'] = ResolversParentTypes['SapIdoc']> = ResolversObject<{
  docnum?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  orderId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  orderNumber?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  sentAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['IdocStatus'], ParentType, ContextType>;
  statusCode?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  statusText?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  system?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type SapMessageResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SapMessage'] = ResolversParentTypes['SapMessage']> = ResolversObject<{
  field?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  number?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type SapSystemResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SapSystem'] = ResolversParentTypes['SapSystem']> = ResolversObject<{
  baseUrl?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  circuit?: Resolver<ResolversTypes['SapCircuitState'], ParentType, ContextType>;
  client?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  isDefault?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  lastError?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastErrorAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  lastSuccessAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  poolInUse?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  poolSize?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  reachable?: Resolver<Maybe<ResolversTypes['Boolean']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['SapSystemType'], ParentType, ContextType>;
}>;

export type SupplierResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['Supplier'] = ResolversParentTypes['Supplier']> = ResolversObject<{
  accountGroup?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  fullName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  postingIsBlocked?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  system?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type SupplierConnectionResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SupplierConnection'] = ResolversParentTypes['SupplierConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['SupplierEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type SupplierEdgeResolvers<ContextType = SapContext, ParentType extends ResolversParentTypes['SupplierEdge'] = ResolversParentTypes['SupplierEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Supplier'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = SapContext> = ResolversObject<{
  BusinessPartner?: BusinessPartnerResolvers<ContextType>;
  BusinessPartnerConnection?: BusinessPartnerConnectionResolvers<ContextType>;
  BusinessPartnerEdge?: BusinessPartnerEdgeResolvers<ContextType>;
  Customer?: CustomerResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  InboundIdoc?: InboundIdocResolvers<ContextType>;
  InboundIdocConnection?: InboundIdocConnectionResolvers<ContextType>;
  InboundIdocEdge?: InboundIdocEdgeResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  ProductConnection?: ProductConnectionResolvers<ContextType>;
  ProductEdge?: ProductEdgeResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  SalesOrder?: SalesOrderResolvers<ContextType>;
  SalesOrderConnection?: SalesOrderConnectionResolvers<ContextType>;
  SalesOrderEdge?: SalesOrderEdgeResolvers<ContextType>;
  SalesOrderItem?: SalesOrderItemResolvers<ContextType>;
  SapCustomer?: SapCustomerResolvers<ContextType>;
  SapFunctionResult?: SapFunctionResultResolvers<ContextType>;
  SapIdoc?: SapIdocResolvers<ContextType>;
  SapMessage?: SapMessageResolvers<ContextType>;
  SapSystem?: SapSystemResolvers<ContextType>;
  Supplier?: SupplierResolvers<ContextType>;
  SupplierConnection?: SupplierConnectionResolvers<ContextType>;
  SupplierEdge?: SupplierEdgeResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = SapContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
