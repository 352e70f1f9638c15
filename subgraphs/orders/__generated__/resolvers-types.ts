import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { OrderRow, OrderLineRow, CustomerRef } from '../orders-repository.js';
import type { Connection } from '../../../infra/db/pagination.js';
import type { DomainEvent } from '../../../infra/events/event.js';
import type { OrdersContext } from '../context.js';
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

/** Cache hints read by Apollo Server; the router caps a response's Cache-Control by every subgraph's. */
export type CacheControlScope =
  | 'PRIVATE'
  | 'PUBLIC';

export type Customer = {
  __typename?: 'Customer';
  id: Scalars['ID']['output'];
  /**
   * This customer's orders, newest first. `first` is at most 100. Null, with an error, when the
   * orders subgraph cannot be reached: the customer still arrives.
   */
  orders: Maybe<OrderConnection>;
};


export type CustomerOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<OrderStatus>;
};

/** What one batch of an import did, counted in rows of the file. */
export type ImportBatchResult = {
  __typename?: 'ImportBatchResult';
  inserted: Scalars['Int']['output'];
  /** One entry per problem found (a row may have several). */
  rejected: Array<ImportRowError>;
  rejectedRows: Scalars['Int']['output'];
  /** Rows equal to what is stored: nothing written, no event. */
  unchanged: Scalars['Int']['output'];
  updated: Scalars['Int']['output'];
};

/** What an import does with a bad row. */
export type ImportErrorPolicy =
  /** Reports every bad row and writes the others. */
  | 'SKIP'
  /** Writes the rows before the first bad row, reports that row, and stops. */
  | 'STOP';

/** How an import writes its rows. */
export type ImportMode =
  /** Creates every row; a row whose key already exists is rejected (CONFLICT). */
  | 'INSERT'
  /** Creates a row, or updates the one with its key; a row equal to what is stored is left alone and emits no event. */
  | 'UPSERT'
  /** Checks every row by the same rules, against the database, and writes nothing. */
  | 'VALIDATE_ONLY';

/** Why a row of an import was rejected. */
export type ImportRowError = {
  __typename?: 'ImportRowError';
  /** A stable code: BAD_USER_INPUT, CONFLICT or NOT_FOUND. */
  code: Scalars['String']['output'];
  /** The input field that is wrong (as in the mutations' inputs, e.g. `email`); null when the row as a whole is. */
  field: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
  /** The row number in the file. */
  row: Scalars['Int']['output'];
};

/** One row of an import file: its row number in the file and its cells, in the order of the call's `fields`. An empty cell counts as absent. */
export type ImportRowInput = {
  row: Scalars['Int']['input'];
  values: Array<InputMaybe<Scalars['String']['input']>>;
};

export type Mutation = {
  __typename?: 'Mutation';
  cancelOrder: Order;
  /**
   * Imports one batch of an orders file (at most 5,000 rows). Each row is one order line, its
   * cells in the order of `fields`; consecutive rows with the same ORDER_KEY are one order, whose
   * key becomes the order's `externalId`. The order's lines must be adjacent: a key that appears
   * again further down the batch rejects that order. Every row of an order must name the same
   * customer (CUSTOMER_ID, or CUSTOMER_EXTERNAL_ID, looked up in the customers subgraph) and the
   * same currency, and the order must pass placeOrder's rules (currency, 1 to 200 lines, sku,
   * description, a whole quantity above 0, unitPrice); an order with an unknown customer is
   * rejected (NOT_FOUND). One bad line rejects its whole order, and `rejected` names each problem
   * by its row and field.
   *
   * A new order is placed as placeOrder places it (its number, PENDING, exact totals and an
   * order.placed event). INSERT rejects an order whose key was imported before (CONFLICT); UPSERT
   * leaves one with the same customer, currency and lines alone (`unchanged`, no event) and
   * rejects one with other contents (CONFLICT): an import never changes a stored order, so
   * `updated` is always 0. VALIDATE_ONLY makes UPSERT's checks, against the database, and writes
   * nothing (no order number is used up either); its counts say what UPSERT would do.
   *
   * Counts are rows of the file. With onError SKIP every good order is written; with STOP only
   * the orders before the first rejected one, and only that order's problems are reported.
   * Wrong arguments (`fields` naming a column twice, lacking ORDER_KEY, CURRENCY, SKU, QUANTITY or
   * UNIT_PRICE, or not exactly one of CUSTOMER_ID and CUSTOMER_EXTERNAL_ID; more than 5,000 rows)
   * are BAD_USER_INPUT and nothing is written. Repeating a call with the same idempotencyKey and
   * the same arguments answers the first call's result and changes nothing; the same key with other
   * arguments is a CONFLICT. DEPENDENCY_UNAVAILABLE when the customers subgraph does not answer:
   * nothing is written.
   */
  importOrders: ImportBatchResult;
  /**
   * Places an order. Retrying with the same idempotencyKey and the same input returns the
   * first order and creates nothing; the same key with different input is a CONFLICT.
   */
  placeOrder: Order;
  /**
   * Moves the order along its lifecycle. Repeating the call with the same idempotencyKey and the
   * same id and status answers the order as it is now and changes nothing; the same key with
   * other arguments is a CONFLICT.
   */
  updateOrderStatus: Order;
};


export type MutationCancelOrderArgs = {
  id: Scalars['ID']['input'];
  reason?: InputMaybe<Scalars['String']['input']>;
};


export type MutationImportOrdersArgs = {
  fields: Array<OrderImportField>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  mode: ImportMode;
  onError?: ImportErrorPolicy;
  rows: Array<ImportRowInput>;
};


export type MutationPlaceOrderArgs = {
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: PlaceOrderInput;
};


export type MutationUpdateOrderStatusArgs = {
  id: Scalars['ID']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  status: OrderStatus;
};

/** An order. Reading one needs the orders:read scope (and its customer customers:read). */
export type Order = {
  __typename?: 'Order';
  /** Set when the order was cancelled. */
  cancelReason: Maybe<Scalars['String']['output']>;
  createdAt: Scalars['DateTime']['output'];
  /** ISO 4217 code, e.g. EUR. */
  currency: Scalars['String']['output'];
  customer: Customer;
  /** The key the order was imported with (the file's order-key column); unique when set. */
  externalId: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lines: Array<OrderLine>;
  /** Human-readable and unique, e.g. ORD-00000042. */
  number: Scalars['String']['output'];
  status: OrderStatus;
  /** The exact sum of the line totals. */
  total: Scalars['Decimal']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type OrderConnection = {
  __typename?: 'OrderConnection';
  edges: Array<OrderEdge>;
  pageInfo: PageInfo;
  /** All orders matching the filter, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type OrderEdge = {
  __typename?: 'OrderEdge';
  cursor: Scalars['String']['output'];
  node: Order;
};

/**
 * A change to an order, webhook-style. `id` is global and increasing: pass the last one you
 * received as `after` to resume without a gap.
 */
export type OrderEvent = {
  __typename?: 'OrderEvent';
  /** The changed fields; previousStatus for status changes. */
  data: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  /** The order as it is now. */
  order: Order;
  /** For order.status_changed and order.cancelled: the status before. */
  previousStatus: Maybe<OrderStatus>;
  /** The request that caused the change. */
  requestId: Maybe<Scalars['String']['output']>;
  /** The subgraph that wrote the event. */
  source: Scalars['String']['output'];
  /** order.placed, order.status_changed or order.cancelled */
  type: Scalars['String']['output'];
};

export type OrderFilter = {
  /** Inclusive. */
  createdAfter?: InputMaybe<Scalars['DateTime']['input']>;
  /** Exclusive. */
  createdBefore?: InputMaybe<Scalars['DateTime']['input']>;
  customerId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<OrderStatus>;
};

/** A column of an orders import: each row is one line of an order. */
export type OrderImportField =
  | 'CURRENCY'
  | 'CUSTOMER_EXTERNAL_ID'
  | 'CUSTOMER_ID'
  | 'DESCRIPTION'
  | 'ORDER_KEY'
  | 'QUANTITY'
  | 'SKU'
  | 'UNIT_PRICE';

export type OrderLine = {
  __typename?: 'OrderLine';
  description: Maybe<Scalars['String']['output']>;
  /** quantity × unitPrice, exact. */
  lineTotal: Scalars['Decimal']['output'];
  quantity: Scalars['Int']['output'];
  sku: Scalars['String']['output'];
  unitPrice: Scalars['Decimal']['output'];
};

export type OrderLineInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  /** Greater than 0. */
  quantity: Scalars['Int']['input'];
  sku: Scalars['String']['input'];
  /** 0 or more, at most 4 decimal places. */
  unitPrice: Scalars['Decimal']['input'];
};

/**
 * PENDING → CONFIRMED → SHIPPED → DELIVERED; PAID from PENDING or CONFIRMED, and SHIPPED or
 * CANCELLED after it; CANCELLED from PENDING, CONFIRMED or PAID.
 */
export type OrderStatus =
  | 'CANCELLED'
  | 'CONFIRMED'
  | 'DELIVERED'
  /** Payment received (the payment_received processor sets it). */
  | 'PAID'
  | 'PENDING'
  | 'SHIPPED';

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type PlaceOrderInput = {
  currency: Scalars['String']['input'];
  customerId: Scalars['ID']['input'];
  lines: Array<OrderLineInput>;
};

export type Query = {
  __typename?: 'Query';
  order: Maybe<Order>;
  /** Newest first. `first` is at most 100. */
  orders: OrderConnection;
};


export type QueryOrderArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOrdersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<OrderFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Order changes, optionally for one order, one customer's orders and some event types. With
   * `after`, every stored event after that id comes first, then live ones; an `after` older
   * than the retention is an EVENTS_EXPIRED error.
   */
  orderEvents: OrderEvent;
};


export type SubscriptionOrderEventsArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  customerId?: InputMaybe<Scalars['ID']['input']>;
  orderId?: InputMaybe<Scalars['ID']['input']>;
  types?: InputMaybe<Array<Scalars['String']['input']>>;
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
    & GraphQLRecursivePick<FederationTypes['Customer'], {"id":true}> );
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  CacheControlScope: CacheControlScope;
  Customer: ResolverTypeWrapper<CustomerRef>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  ImportBatchResult: ResolverTypeWrapper<ImportBatchResult>;
  ImportErrorPolicy: ImportErrorPolicy;
  ImportMode: ImportMode;
  ImportRowError: ResolverTypeWrapper<ImportRowError>;
  ImportRowInput: ImportRowInput;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Order: ResolverTypeWrapper<OrderRow>;
  OrderConnection: ResolverTypeWrapper<Connection<OrderRow>>;
  OrderEdge: ResolverTypeWrapper<Omit<OrderEdge, 'node'> & { node: ResolversTypes['Order'] }>;
  OrderEvent: ResolverTypeWrapper<DomainEvent>;
  OrderFilter: OrderFilter;
  OrderImportField: OrderImportField;
  OrderLine: ResolverTypeWrapper<OrderLineRow>;
  OrderLineInput: OrderLineInput;
  OrderStatus: OrderStatus;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PlaceOrderInput: PlaceOrderInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Customer: CustomerRef;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  ImportBatchResult: ImportBatchResult;
  ImportRowError: ImportRowError;
  ImportRowInput: ImportRowInput;
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  Order: OrderRow;
  OrderConnection: Connection<OrderRow>;
  OrderEdge: Omit<OrderEdge, 'node'> & { node: ResolversParentTypes['Order'] };
  OrderEvent: DomainEvent;
  OrderFilter: OrderFilter;
  OrderLine: OrderLineRow;
  OrderLineInput: OrderLineInput;
  PageInfo: PageInfo;
  PlaceOrderInput: PlaceOrderInput;
  Query: Record<PropertyKey, never>;
  Subscription: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = OrdersContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type CustomerResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  orders?: Resolver<Maybe<ResolversTypes['OrderConnection']>, ParentType, ContextType, RequireFields<CustomerOrdersArgs, 'first'>>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type ImportBatchResultResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['ImportBatchResult'] = ResolversParentTypes['ImportBatchResult']> = ResolversObject<{
  inserted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rejected?: Resolver<Array<ResolversTypes['ImportRowError']>, ParentType, ContextType>;
  rejectedRows?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  unchanged?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updated?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ImportRowErrorResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['ImportRowError'] = ResolversParentTypes['ImportRowError']> = ResolversObject<{
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  field?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  row?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  cancelOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationCancelOrderArgs, 'id'>>;
  importOrders?: Resolver<ResolversTypes['ImportBatchResult'], ParentType, ContextType, RequireFields<MutationImportOrdersArgs, 'fields' | 'mode' | 'onError' | 'rows'>>;
  placeOrder?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationPlaceOrderArgs, 'input'>>;
  updateOrderStatus?: Resolver<ResolversTypes['Order'], ParentType, ContextType, RequireFields<MutationUpdateOrderStatusArgs, 'id' | 'status'>>;
}>;

export type OrderResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  cancelReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  currency?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
  externalId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lines?: Resolver<Array<ResolversTypes['OrderLine']>, ParentType, ContextType>;
  number?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['OrderStatus'], ParentType, ContextType>;
  total?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type OrderConnectionResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderConnection'] = ResolversParentTypes['OrderConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['OrderEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type OrderEdgeResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderEdge'] = ResolversParentTypes['OrderEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
}>;

export type OrderEventResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderEvent'] = ResolversParentTypes['OrderEvent']> = ResolversObject<{
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  order?: Resolver<ResolversTypes['Order'], ParentType, ContextType>;
  previousStatus?: Resolver<Maybe<ResolversTypes['OrderStatus']>, ParentType, ContextType>;
  requestId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type OrderLineResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['OrderLine'] = ResolversParentTypes['OrderLine']> = ResolversObject<{
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lineTotal?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  quantity?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  sku?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  unitPrice?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  order?: Resolver<Maybe<ResolversTypes['Order']>, ParentType, ContextType, RequireFields<QueryOrderArgs, 'id'>>;
  orders?: Resolver<ResolversTypes['OrderConnection'], ParentType, ContextType, RequireFields<QueryOrdersArgs, 'first'>>;
}>;

export type SubscriptionResolvers<ContextType = OrdersContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  orderEvents?: SubscriptionResolver<ResolversTypes['OrderEvent'], "orderEvents", ParentType, ContextType, Partial<SubscriptionOrderEventsArgs>>;
}>;

export type Resolvers<ContextType = OrdersContext> = ResolversObject<{
  Customer?: CustomerResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  ImportBatchResult?: ImportBatchResultResolvers<ContextType>;
  ImportRowError?: ImportRowErrorResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  OrderConnection?: OrderConnectionResolvers<ContextType>;
  OrderEdge?: OrderEdgeResolvers<ContextType>;
  OrderEvent?: OrderEventResolvers<ContextType>;
  OrderLine?: OrderLineResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = OrdersContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
