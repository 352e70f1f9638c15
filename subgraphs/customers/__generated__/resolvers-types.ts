import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { CustomerRow, CustomerGroupRow } from '../customers-repository.js';
import type { Connection } from '../../../infra/db/pagination.js';
import type { DomainEvent } from '../../../infra/events/event.js';
import type { CustomersContext } from '../context.js';
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

export type CreateCustomerInput = {
  /** Defaults to 0. */
  creditLimit?: InputMaybe<Scalars['Decimal']['input']>;
  /** Defaults to RETAIL. */
  customerGroup?: InputMaybe<Scalars['String']['input']>;
  email: Scalars['String']['input'];
  externalId?: InputMaybe<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Defaults to STANDARD. */
  tier?: InputMaybe<CustomerTier>;
};

/**
 * A customer, as kept by the customers domain. Reading one needs the customers:read scope.
 * Other subgraphs refer to it by id, or by externalId (the orders import names customers by
 * their id in the outside system); an unknown externalId resolves to null.
 */
export type Customer = {
  __typename?: 'Customer';
  createdAt: Scalars['DateTime']['output'];
  /** Between 0 and 1,000,000, two decimal places. */
  creditLimit: Scalars['Decimal']['output'];
  /** The code of a customer group; see `customerGroups`. */
  customerGroup: Scalars['String']['output'];
  /** Unique across customers, stored lower-cased. */
  email: Scalars['String']['output'];
  /** The customer's id in an outside system (ERP, CRM); unique when set. */
  externalId: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  phone: Maybe<Scalars['String']['output']>;
  tier: CustomerTier;
  updatedAt: Scalars['DateTime']['output'];
};

export type CustomerConnection = {
  __typename?: 'CustomerConnection';
  edges: Array<CustomerEdge>;
  pageInfo: PageInfo;
  /** All customers matching the filter, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type CustomerEdge = {
  __typename?: 'CustomerEdge';
  cursor: Scalars['String']['output'];
  node: Customer;
};

/**
 * A change to a customer, webhook-style. `id` is global and increasing: pass the last one you
 * received as `after` to resume without a gap.
 */
export type CustomerEvent = {
  __typename?: 'CustomerEvent';
  /** The customer as it is now. */
  customer: Customer;
  /** The changed fields. */
  data: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  /** The request that caused the change. */
  requestId: Maybe<Scalars['String']['output']>;
  /** The subgraph that wrote the event. */
  source: Scalars['String']['output'];
  /** customer.created or customer.updated */
  type: Scalars['String']['output'];
};

export type CustomerFilter = {
  customerGroup?: InputMaybe<Scalars['String']['input']>;
  /** Matches part of the name, email or externalId, ignoring case. */
  search?: InputMaybe<Scalars['String']['input']>;
  tier?: InputMaybe<CustomerTier>;
};

export type CustomerGroup = {
  __typename?: 'CustomerGroup';
  code: Scalars['String']['output'];
  name: Scalars['String']['output'];
};

/** A column of a customers import: a field of CreateCustomerInput. */
export type CustomerImportField =
  | 'CREDIT_LIMIT'
  | 'CUSTOMER_GROUP'
  | 'EMAIL'
  | 'EXTERNAL_ID'
  | 'NAME'
  | 'PHONE'
  | 'TIER';

export type CustomerTier =
  | 'PLATINUM'
  | 'PREMIUM'
  | 'STANDARD';

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
  createCustomer: Customer;
  /**
   * Imports one batch of a customers file (at most 5,000 rows per call; the CSV import sends about
   * 1,000) with a few set-based statements, whatever the number of rows. `fields` names the
   * columns, once each, and must include NAME and EMAIL (and EXTERNAL_ID for UPSERT); each row has
   * one cell per field, and an empty cell (or one of spaces only) counts as absent. A breach of
   * these is a BAD_USER_INPUT error for the whole call, naming the argument (`fields`, `rows`).
   *
   * Each row is checked by the rules of `createCustomer` (INSERT) or of `upsertCustomerByExternalId`
   * (UPSERT, and VALIDATE_ONLY when `fields` has EXTERNAL_ID; without it VALIDATE_ONLY checks as
   * INSERT), every bad field reported; customerGroup must name a group. A row repeating the
   * externalId or email of an earlier row of the call is a CONFLICT naming that row. INSERT rejects
   * a row whose externalId or email a stored customer has (CONFLICT); UPSERT one whose email
   * belongs to another customer than the one with its externalId.
   *
   * UPSERT never touches a column that is not in `fields`, nor one whose cell is empty; a new
   * customer gets the defaults for them (RETAIL, 0, STANDARD). A row equal to the stored customer
   * (numbers compared as numbers) is `unchanged`: not written, updatedAt kept, no event. Written
   * rows emit customer.created or customer.updated, committed with the rows in one transaction.
   *
   * With `onError: SKIP` the good rows are written and every bad row is reported; with STOP only
   * the rows before the first bad one (in the order of `rows`) are written, that row alone is
   * reported, and the rows after it are not counted. VALIDATE_ONLY runs every check and the real
   * statements, rolls them back and counts what they would have done. When a concurrent writer
   * takes an email or externalId between the checks and the write, the call is retried once, then
   * answered with a CONFLICT error and nothing written. A repeat of a committed call with the same
   * `idempotencyKey` and the same arguments answers the first call's result and changes nothing;
   * the same key with other arguments is a CONFLICT.
   */
  importCustomers: ImportBatchResult;
  updateCustomer: Customer;
  /**
   * Creates the customer with this externalId or updates it; never creates a duplicate. Repeating
   * the call with the same idempotencyKey and the same arguments answers the customer as it is now
   * (and the first call's `created`) and changes nothing; the same key with other arguments is a CONFLICT.
   */
  upsertCustomerByExternalId: UpsertCustomerPayload;
};


export type MutationCreateCustomerArgs = {
  input: CreateCustomerInput;
};


export type MutationImportCustomersArgs = {
  fields: Array<CustomerImportField>;
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  mode: ImportMode;
  onError?: ImportErrorPolicy;
  rows: Array<ImportRowInput>;
};


export type MutationUpdateCustomerArgs = {
  id: Scalars['ID']['input'];
  input: UpdateCustomerInput;
};


export type MutationUpsertCustomerByExternalIdArgs = {
  externalId: Scalars['String']['input'];
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  input: UpsertCustomerInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  customer: Maybe<Customer>;
  /** Reference data, public: the one query a caller without credentials may send. */
  customerGroups: Array<CustomerGroup>;
  /** Newest first. `first` is at most 100. */
  customers: CustomerConnection;
};


export type QueryCustomerArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCustomersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CustomerFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Customer changes, optionally for one customer and some event types. With `after`, every
   * stored event after that id comes first, then live ones; an `after` older than the
   * retention is an EVENTS_EXPIRED error.
   */
  customerEvents: CustomerEvent;
};


export type SubscriptionCustomerEventsArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  customerId?: InputMaybe<Scalars['ID']['input']>;
  types?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** Only the fields given are changed; `null` clears externalId or phone. */
export type UpdateCustomerInput = {
  creditLimit?: InputMaybe<Scalars['Decimal']['input']>;
  customerGroup?: InputMaybe<Scalars['String']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  externalId?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  tier?: InputMaybe<CustomerTier>;
};

/** The record an outside system sends to keep a customer in sync. */
export type UpsertCustomerInput = {
  creditLimit?: InputMaybe<Scalars['Decimal']['input']>;
  customerGroup?: InputMaybe<Scalars['String']['input']>;
  email: Scalars['String']['input'];
  name: Scalars['String']['input'];
  phone?: InputMaybe<Scalars['String']['input']>;
  tier?: InputMaybe<CustomerTier>;
};

export type UpsertCustomerPayload = {
  __typename?: 'UpsertCustomerPayload';
  /** True when this call created the customer, false when it updated an existing one. */
  created: Scalars['Boolean']['output'];
  customer: Customer;
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
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Customer:
    ( { __typename: 'Customer' }
    & ( GraphQLRecursivePick<FederationTypes['Customer'], {"id":true}>
        | GraphQLRecursivePick<FederationTypes['Customer'], {"externalId":true}> ) );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  CacheControlScope: CacheControlScope;
  CreateCustomerInput: CreateCustomerInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Customer: ResolverTypeWrapper<CustomerRow>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  CustomerConnection: ResolverTypeWrapper<Connection<CustomerRow>>;
  CustomerEdge: ResolverTypeWrapper<Omit<CustomerEdge, 'node'> & { node: ResolversTypes['Customer'] }>;
  CustomerEvent: ResolverTypeWrapper<DomainEvent>;
  CustomerFilter: CustomerFilter;
  CustomerGroup: ResolverTypeWrapper<CustomerGroupRow>;
  CustomerImportField: CustomerImportField;
  CustomerTier: CustomerTier;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  ImportBatchResult: ResolverTypeWrapper<ImportBatchResult>;
  ImportErrorPolicy: ImportErrorPolicy;
  ImportMode: ImportMode;
  ImportRowError: ResolverTypeWrapper<ImportRowError>;
  ImportRowInput: ImportRowInput;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateCustomerInput: UpdateCustomerInput;
  UpsertCustomerInput: UpsertCustomerInput;
  UpsertCustomerPayload: ResolverTypeWrapper<Omit<UpsertCustomerPayload, 'customer'> & { customer: ResolversTypes['Customer'] }>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  CreateCustomerInput: CreateCustomerInput;
  String: Scalars['String']['output'];
  Customer: CustomerRow;
  ID: Scalars['ID']['output'];
  CustomerConnection: Connection<CustomerRow>;
  CustomerEdge: Omit<CustomerEdge, 'node'> & { node: ResolversParentTypes['Customer'] };
  CustomerEvent: DomainEvent;
  CustomerFilter: CustomerFilter;
  CustomerGroup: CustomerGroupRow;
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  ImportBatchResult: ImportBatchResult;
  ImportRowError: ImportRowError;
  ImportRowInput: ImportRowInput;
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  Subscription: Record<PropertyKey, never>;
  UpdateCustomerInput: UpdateCustomerInput;
  UpsertCustomerInput: UpsertCustomerInput;
  UpsertCustomerPayload: Omit<UpsertCustomerPayload, 'customer'> & { customer: ResolversParentTypes['Customer'] };
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = CustomersContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type CustomerResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['Customer'] = ResolversParentTypes['Customer'], FederationReferenceType extends FederationReferenceTypes['Customer'] = FederationReferenceTypes['Customer']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Customer']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  creditLimit?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  customerGroup?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  email?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  externalId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  phone?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  tier?: Resolver<ResolversTypes['CustomerTier'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type CustomerConnectionResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['CustomerConnection'] = ResolversParentTypes['CustomerConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['CustomerEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type CustomerEdgeResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['CustomerEdge'] = ResolversParentTypes['CustomerEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
}>;

export type CustomerEventResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['CustomerEvent'] = ResolversParentTypes['CustomerEvent']> = ResolversObject<{
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  requestId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type CustomerGroupResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['CustomerGroup'] = ResolversParentTypes['CustomerGroup']> = ResolversObject<{
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type ImportBatchResultResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['ImportBatchResult'] = ResolversParentTypes['ImportBatchResult']> = ResolversObject<{
  inserted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rejected?: Resolver<Array<ResolversTypes['ImportRowError']>, ParentType, ContextType>;
  rejectedRows?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  unchanged?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updated?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ImportRowErrorResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['ImportRowError'] = ResolversParentTypes['ImportRowError']> = ResolversObject<{
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  field?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  row?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  createCustomer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType, RequireFields<MutationCreateCustomerArgs, 'input'>>;
  importCustomers?: Resolver<ResolversTypes['ImportBatchResult'], ParentType, ContextType, RequireFields<MutationImportCustomersArgs, 'fields' | 'mode' | 'onError' | 'rows'>>;
  updateCustomer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType, RequireFields<MutationUpdateCustomerArgs, 'id' | 'input'>>;
  upsertCustomerByExternalId?: Resolver<ResolversTypes['UpsertCustomerPayload'], ParentType, ContextType, RequireFields<MutationUpsertCustomerByExternalIdArgs, 'externalId' | 'input'>>;
}>;

export type PageInfoResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  customer?: Resolver<Maybe<ResolversTypes['Customer']>, ParentType, ContextType, RequireFields<QueryCustomerArgs, 'id'>>;
  customerGroups?: Resolver<Array<ResolversTypes['CustomerGroup']>, ParentType, ContextType>;
  customers?: Resolver<ResolversTypes['CustomerConnection'], ParentType, ContextType, RequireFields<QueryCustomersArgs, 'first'>>;
}>;

export type SubscriptionResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  customerEvents?: SubscriptionResolver<ResolversTypes['CustomerEvent'], "customerEvents", ParentType, ContextType, Partial<SubscriptionCustomerEventsArgs>>;
}>;

export type UpsertCustomerPayloadResolvers<ContextType = CustomersContext, ParentType extends ResolversParentTypes['UpsertCustomerPayload'] = ResolversParentTypes['UpsertCustomerPayload']> = ResolversObject<{
  created?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  customer?: Resolver<ResolversTypes['Customer'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = CustomersContext> = ResolversObject<{
  Customer?: CustomerResolvers<ContextType>;
  CustomerConnection?: CustomerConnectionResolvers<ContextType>;
  CustomerEdge?: CustomerEdgeResolvers<ContextType>;
  CustomerEvent?: CustomerEventResolvers<ContextType>;
  CustomerGroup?: CustomerGroupResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  ImportBatchResult?: ImportBatchResultResolvers<ContextType>;
  ImportRowError?: ImportRowErrorResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  UpsertCustomerPayload?: UpsertCustomerPayloadResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = CustomersContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
