import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ApiKeyRow, AuditRecordRow } from '../access-repository.js';
import type { IssuedApiKey } from '../access-service.js';
import type { Connection } from '../../../infra/db/pagination.js';
import type { AccessContext } from '../context.js';
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
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
  _FieldSet: { input: unknown; output: unknown; }
};

/**
 * An API key for a machine client, sent as the `X-API-Key` header. The secret is never stored
 * and never shown again after `createApiKey` or `rotateApiKey`.
 */
export type ApiKey = {
  __typename?: 'ApiKey';
  createdAt: Scalars['DateTime']['output'];
  /** After this time the key no longer works; null: no expiry. */
  expiresAt: Maybe<Scalars['DateTime']['output']>;
  /** key_ and 20 hex digits; the middle part of the key itself (ik_<id>_<secret>). */
  id: Scalars['ID']['output'];
  lastUsedAt: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  revokedAt: Maybe<Scalars['DateTime']['output']>;
  /** The roles the key was given (admin, api_user, sap_integration, readonly). */
  roles: Array<Scalars['String']['output']>;
  /** The key this one replaced, when it was made by rotateApiKey. */
  rotatedFrom: Maybe<Scalars['ID']['output']>;
  /** Everything the key may do: its roles' scopes and any scope granted directly. */
  scopes: Array<Scalars['String']['output']>;
  status: ApiKeyStatus;
  /** Requests made with the key. Recorded by the router about once a second. A Float because it may pass 2^31; always a whole number. */
  usageCount: Scalars['Float']['output'];
};

export type ApiKeyConnection = {
  __typename?: 'ApiKeyConnection';
  edges: Array<ApiKeyEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ApiKeyEdge = {
  __typename?: 'ApiKeyEdge';
  cursor: Scalars['String']['output'];
  node: ApiKey;
};

export type ApiKeyStatus =
  | 'ACTIVE'
  | 'EXPIRED'
  | 'REVOKED';

/**
 * One request the router recorded: every mutation, every denied request, every cache purge and
 * every refused WebSocket connection. Never holds request or response bodies, tokens or API keys.
 */
export type AuditRecord = {
  __typename?: 'AuditRecord';
  /** operation, cache_purge (POST /admin/cache/purge), connection (a graphql-ws connection_init), webhook (POST /webhooks/<source>) or export (GET /exports/<list>.csv). */
  action: Scalars['String']['output'];
  at: Scalars['DateTime']['output'];
  clientIp: Maybe<Scalars['String']['output']>;
  /** The x-request-id the client sent, if any. The client chooses it: it proves nothing. */
  clientRequestId: Maybe<Scalars['String']['output']>;
  /** The first error code, when the outcome is not ok. */
  code: Maybe<Scalars['String']['output']>;
  /**
   * For a cache purge: what it was asked to purge ({"all": true}, {"type": "Order"} or
   * {"type": "Order", "id": "42"}) and, once it ran, how many entries went ("purged").
   */
  detail: Maybe<Scalars['JSON']['output']>;
  durationMs: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  /** The name the client gave the operation. It need not say what the operation does: rootFields does. */
  operationName: Maybe<Scalars['String']['output']>;
  /** query, mutation or subscription. */
  operationType: Maybe<Scalars['String']['output']>;
  /** ok, error, denied or rate_limited. */
  outcome: Scalars['String']['output'];
  /** kind:id of the caller (user:alice, api_key:key_...), null without credentials. */
  principal: Maybe<Scalars['String']['output']>;
  /** The router's own id for the request: on its log lines, in its errors and in the subgraphs' logs. */
  requestId: Scalars['String']['output'];
  /**
   * The root fields the operation selected, as schema coordinates (Mutation.createApiKey), those
   * in fragments included, each once. Empty for other actions.
   */
  rootFields: Array<Scalars['String']['output']>;
};

export type AuditRecordConnection = {
  __typename?: 'AuditRecordConnection';
  edges: Array<AuditRecordEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type AuditRecordEdge = {
  __typename?: 'AuditRecordEdge';
  cursor: Scalars['String']['output'];
  node: AuditRecord;
};

export type AuditRecordFilter = {
  /** operation, cache_purge, connection, webhook or export. */
  action?: InputMaybe<Scalars['String']['input']>;
  operationName?: InputMaybe<Scalars['String']['input']>;
  /** ok, error, denied or rate_limited. */
  outcome?: InputMaybe<Scalars['String']['input']>;
  /** kind:id, exactly as recorded. */
  principal?: InputMaybe<Scalars['String']['input']>;
  /** Records of operations that selected this root field (Mutation.createApiKey). */
  rootField?: InputMaybe<Scalars['String']['input']>;
  /** Records at or after this time. */
  since?: InputMaybe<Scalars['DateTime']['input']>;
  /** Records before this time. */
  until?: InputMaybe<Scalars['DateTime']['input']>;
};

export type CreateApiKeyInput = {
  /** A time in the future; null: the key does not expire. */
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** 1 to 100 characters, to tell keys apart. */
  name: Scalars['String']['input'];
  /** One of admin, api_user, sap_integration, readonly. A role, scopes or both must be given. */
  role?: InputMaybe<Scalars['String']['input']>;
  /** Scopes granted besides the role's, each one the hub knows (customers:read, orders:write, ...). */
  scopes?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Creates a key; its secret is in the answer and nowhere else. */
  createApiKey: NewApiKey;
  /** Revokes a key at once. Revoking a revoked key changes nothing. */
  revokeApiKey: ApiKey;
  /**
   * Replaces a key with a new one (new id and secret, same name, roles, scopes and expiry,
   * rotatedFrom naming the old one) and revokes the old one in the same transaction: the old
   * key stops working at once. A revoked or expired key cannot be rotated (CONFLICT).
   */
  rotateApiKey: NewApiKey;
  /**
   * Changes a key's name, role or scopes, at once for every request made with it; its open
   * WebSockets are closed (4403) so that they reconnect with what the key may now do.
   */
  updateApiKey: ApiKey;
};


export type MutationCreateApiKeyArgs = {
  input: CreateApiKeyInput;
};


export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRotateApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUpdateApiKeyArgs = {
  id: Scalars['ID']['input'];
  input: UpdateApiKeyInput;
};

/** A key as created or rotated: the only time its secret is shown. */
export type NewApiKey = {
  __typename?: 'NewApiKey';
  apiKey: ApiKey;
  /** The whole key to send as X-API-Key (ik_<id>_<secret>). Keep it now: it cannot be shown again. */
  secret: Scalars['String']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  apiKey: Maybe<ApiKey>;
  /** Newest first. Revoked keys only with includeRevoked. */
  apiKeys: ApiKeyConnection;
  /** Newest first. Records older than AUDIT_RETENTION_DAYS are pruned. */
  auditRecords: AuditRecordConnection;
};


export type QueryApiKeyArgs = {
  id: Scalars['ID']['input'];
};


export type QueryApiKeysArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  includeRevoked?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QueryAuditRecordsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AuditRecordFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * What to change on a key; what is left out stays. `role` replaces the key's roles and `scopes` its
 * directly granted scopes; the key must keep a role or a scope.
 */
export type UpdateApiKeyInput = {
  name?: InputMaybe<Scalars['String']['input']>;
  /** One of admin, api_user, sap_integration, readonly; null removes the role. */
  role?: InputMaybe<Scalars['String']['input']>;
  scopes?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


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





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  ApiKey: ResolverTypeWrapper<ApiKeyRow>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ApiKeyConnection: ResolverTypeWrapper<Connection<ApiKeyRow>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  ApiKeyEdge: ResolverTypeWrapper<Omit<ApiKeyEdge, 'node'> & { node: ResolversTypes['ApiKey'] }>;
  ApiKeyStatus: ApiKeyStatus;
  AuditRecord: ResolverTypeWrapper<AuditRecordRow>;
  AuditRecordConnection: ResolverTypeWrapper<Connection<AuditRecordRow>>;
  AuditRecordEdge: ResolverTypeWrapper<Omit<AuditRecordEdge, 'node'> & { node: ResolversTypes['AuditRecord'] }>;
  AuditRecordFilter: AuditRecordFilter;
  CreateApiKeyInput: CreateApiKeyInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  NewApiKey: ResolverTypeWrapper<IssuedApiKey>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateApiKeyInput: UpdateApiKeyInput;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ApiKey: ApiKeyRow;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  Float: Scalars['Float']['output'];
  ApiKeyConnection: Connection<ApiKeyRow>;
  Int: Scalars['Int']['output'];
  ApiKeyEdge: Omit<ApiKeyEdge, 'node'> & { node: ResolversParentTypes['ApiKey'] };
  AuditRecord: AuditRecordRow;
  AuditRecordConnection: Connection<AuditRecordRow>;
  AuditRecordEdge: Omit<AuditRecordEdge, 'node'> & { node: ResolversParentTypes['AuditRecord'] };
  AuditRecordFilter: AuditRecordFilter;
  CreateApiKeyInput: CreateApiKeyInput;
  DateTime: Scalars['DateTime']['output'];
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  NewApiKey: IssuedApiKey;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  UpdateApiKeyInput: UpdateApiKeyInput;
}>;

export type ApiKeyResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['ApiKey'] = ResolversParentTypes['ApiKey']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  expiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastUsedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  revokedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  roles?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  rotatedFrom?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
  scopes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ApiKeyStatus'], ParentType, ContextType>;
  usageCount?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type ApiKeyConnectionResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['ApiKeyConnection'] = ResolversParentTypes['ApiKeyConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ApiKeyEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ApiKeyEdgeResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['ApiKeyEdge'] = ResolversParentTypes['ApiKeyEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
}>;

export type AuditRecordResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['AuditRecord'] = ResolversParentTypes['AuditRecord']> = ResolversObject<{
  action?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  clientIp?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  clientRequestId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  code?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  detail?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  operationName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  operationType?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  principal?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  requestId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  rootFields?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type AuditRecordConnectionResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['AuditRecordConnection'] = ResolversParentTypes['AuditRecordConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['AuditRecordEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type AuditRecordEdgeResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['AuditRecordEdge'] = ResolversParentTypes['AuditRecordEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['AuditRecord'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  createApiKey?: Resolver<ResolversTypes['NewApiKey'], ParentType, ContextType, RequireFields<MutationCreateApiKeyArgs, 'input'>>;
  revokeApiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType, RequireFields<MutationRevokeApiKeyArgs, 'id'>>;
  rotateApiKey?: Resolver<ResolversTypes['NewApiKey'], ParentType, ContextType, RequireFields<MutationRotateApiKeyArgs, 'id'>>;
  updateApiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType, RequireFields<MutationUpdateApiKeyArgs, 'id' | 'input'>>;
}>;

export type NewApiKeyResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['NewApiKey'] = ResolversParentTypes['NewApiKey']> = ResolversObject<{
  apiKey?: Resolver<ResolversTypes['ApiKey'], ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type PageInfoResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = AccessContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  apiKey?: Resolver<Maybe<ResolversTypes['ApiKey']>, ParentType, ContextType, RequireFields<QueryApiKeyArgs, 'id'>>;
  apiKeys?: Resolver<ResolversTypes['ApiKeyConnection'], ParentType, ContextType, RequireFields<QueryApiKeysArgs, 'first' | 'includeRevoked'>>;
  auditRecords?: Resolver<ResolversTypes['AuditRecordConnection'], ParentType, ContextType, RequireFields<QueryAuditRecordsArgs, 'first'>>;
}>;

export type Resolvers<ContextType = AccessContext> = ResolversObject<{
  ApiKey?: ApiKeyResolvers<ContextType>;
  ApiKeyConnection?: ApiKeyConnectionResolvers<ContextType>;
  ApiKeyEdge?: ApiKeyEdgeResolvers<ContextType>;
  AuditRecord?: AuditRecordResolvers<ContextType>;
  AuditRecordConnection?: AuditRecordConnectionResolvers<ContextType>;
  AuditRecordEdge?: AuditRecordEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  NewApiKey?: NewApiKeyResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
}>;

