import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { HealthView, ComponentRow, AlertRow } from '../health-repository.js';
import type { Connection } from '../../../infra/db/pagination.js';
import type { DomainEvent } from '../../../infra/events/event.js';
import type { HealthContext } from '../context.js';
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

/** An alert raised by one of the hub's alert rules (HEALTH_ALERT_RULES) for one component. */
export type Alert = {
  __typename?: 'Alert';
  /** The component it is about (`subgraph:customers`, `queue:orders`, ...). */
  component: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  message: Scalars['String']['output'];
  raisedAt: Scalars['DateTime']['output'];
  resolvedAt: Maybe<Scalars['DateTime']['output']>;
  /** The rule's name. */
  rule: Scalars['String']['output'];
  severity: AlertSeverity;
  state: AlertState;
  threshold: Maybe<Scalars['Float']['output']>;
  /** The measured value that crossed the threshold (seconds open, percent, messages, ...). */
  value: Maybe<Scalars['Float']['output']>;
};

export type AlertConnection = {
  __typename?: 'AlertConnection';
  edges: Array<AlertEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type AlertEdge = {
  __typename?: 'AlertEdge';
  cursor: Scalars['String']['output'];
  node: Alert;
};

export type AlertSeverity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

export type AlertState =
  /** Its condition holds. */
  | 'FIRING'
  /** Its condition held and no longer does. */
  | 'RESOLVED';

/** Cache hints read by Apollo Server; the router caps a response's Cache-Control by every subgraph's. */
export type CacheControlScope =
  | 'PRIVATE'
  | 'PUBLIC';

export type Health = {
  __typename?: 'Health';
  /** When the last round of checks ended. */
  checkedAt: Scalars['DateTime']['output'];
  components: Array<HealthComponent>;
  /** DOWN when the router, PostgreSQL or a subgraph is down; DEGRADED when any other component is not UP; else UP. */
  status: HealthStatus;
};

/** A change of one component's status, or (component null) of the hub's overall status. */
export type HealthChange = {
  __typename?: 'HealthChange';
  at: Scalars['DateTime']['output'];
  component: Maybe<Scalars['String']['output']>;
  /** The event's id: pass as `after` to resume. */
  id: Scalars['ID']['output'];
  kind: Maybe<HealthComponentKind>;
  /** The hub's overall status after the change. */
  overall: HealthStatus;
  previousStatus: Maybe<HealthStatus>;
  status: HealthStatus;
};

/** A circuit breaker in front of a component, as the part of the hub that calls it holds it. */
export type HealthCircuit = {
  __typename?: 'HealthCircuit';
  /** Failures in a row counted against it now; null where the breaker does not say. */
  failures: Maybe<Scalars['Int']['output']>;
  /** When it last opened; null while it has not opened since its holder started. */
  openedAt: Maybe<Scalars['DateTime']['output']>;
  state: HealthCircuitState;
};

export type HealthCircuitState =
  | 'CLOSED'
  | 'HALF_OPEN'
  | 'ISOLATED'
  | 'OPEN';

export type HealthComponent = {
  __typename?: 'HealthComponent';
  checkedAt: Scalars['DateTime']['output'];
  /** Its circuit breaker; null for components without one. */
  circuit: Maybe<HealthCircuit>;
  /** What the check saw (queue depth and dead letters, a subgraph's error, an endpoint's failures, event lag, ...). */
  details: Scalars['JSON']['output'];
  kind: HealthComponentKind;
  /** How long its check took; for the router, the p95 of the operations it answered since the check before. Null where nothing was timed. */
  latencyMs: Maybe<Scalars['Float']['output']>;
  /** Unique: `router`, `subgraph:customers`, `postgresql`, `redis`, `sap:ERP1`, `queue:orders`, `webhook:<id>`, `event-store`. */
  name: Scalars['String']['output'];
  status: HealthStatus;
};

export type HealthComponentKind =
  /** The hub's event store and its durable consumers. */
  | 'EVENT_STORE'
  | 'POSTGRESQL'
  | 'QUEUE'
  /** Present only when the hub runs with REDIS_URL. */
  | 'REDIS'
  /** The router itself (its readiness answer and, for SLA, its operations). */
  | 'ROUTER'
  | 'SAP_SYSTEM'
  /** A subgraph of the supergraph, as the router reaches it. */
  | 'SUBGRAPH'
  | 'WEBHOOK_ENDPOINT';

/**
 * UP: works. DEGRADED: works, with a problem worth a look (a circuit half-open, dead letters, a
 * webhook endpoint failing, events piling up). DOWN: does not answer or refuses all work.
 */
export type HealthStatus =
  | 'DEGRADED'
  | 'DOWN'
  | 'UP';

/** A hub event as the tail shows it: what happened to what, without its data. */
export type HubEventNotice = {
  __typename?: 'HubEventNotice';
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  source: Scalars['String']['output'];
  subjectId: Scalars['String']['output'];
  subjectType: Scalars['String']['output'];
  type: Scalars['String']['output'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** Alerts, newest first; `active: true` only those firing, `false` only resolved ones. `first` is at most 100. */
  alerts: AlertConnection;
  /** The hub's health: the latest round of checks (run now when none is recent). */
  health: Health;
  /** Each integration's SLA over the window, against the configured targets. */
  slaCompliance: Array<SlaReport>;
  /** The router's request rate, p95 latency, error rate and cache hit ratio per check over the last `minutes` (1 to 1,440). */
  traffic: Array<TrafficPoint>;
};


export type QueryAlertsArgs = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySlaComplianceArgs = {
  window?: SlaWindow;
};


export type QueryTrafficArgs = {
  minutes?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * One integration's service level over a window, from the stored checks (see README: Health and SLA).
 * Each measured number is compared with its target; a number that could not be measured (no checks,
 * no traffic) is null and breaches nothing.
 */
export type SlaReport = {
  __typename?: 'SlaReport';
  /** Percentage of checks that found it not DOWN. */
  availability: Maybe<Scalars['Float']['output']>;
  availabilityTarget: Scalars['Float']['output'];
  /** What missed its target: `availability`, `p95LatencyMs`, `errorRate`. */
  breaches: Array<Scalars['String']['output']>;
  compliant: Scalars['Boolean']['output'];
  /** Percentage: failed operations of all operations where the component reports traffic (router, webhook endpoints), else failed checks of all checks. */
  errorRate: Maybe<Scalars['Float']['output']>;
  errorRateTarget: Scalars['Float']['output'];
  /** The component's name (`router`, `subgraph:orders`, `sap:ERP1`, ...). */
  integration: Scalars['String']['output'];
  kind: HealthComponentKind;
  p95LatencyMs: Maybe<Scalars['Float']['output']>;
  p95LatencyTargetMs: Scalars['Float']['output'];
  /** Checks stored for it in the window. */
  samples: Scalars['Int']['output'];
  window: SlaWindow;
};

export type SlaWindow =
  | 'LAST_DAY'
  | 'LAST_HOUR'
  | 'LAST_WEEK';

export type Subscription = {
  __typename?: 'Subscription';
  /** Alerts as they are raised (and, with `resolved: true`, as they resolve). */
  alertRaised: Alert;
  /** Status changes of components and of the whole hub, as they are stored. With `after`, stored ones after it first. */
  healthChanged: HealthChange;
  /** Every hub event as it is committed, without its data. `types`: exact types, or prefixes ending in `*` (`order.*`). With `after`, stored ones after it first. */
  hubEvents: HubEventNotice;
};


export type SubscriptionAlertRaisedArgs = {
  minSeverity?: InputMaybe<AlertSeverity>;
  resolved?: InputMaybe<Scalars['Boolean']['input']>;
};


export type SubscriptionHealthChangedArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
};


export type SubscriptionHubEventsArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  types?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** One point of the router's traffic, from the check at `at` (covering the time since the check before). */
export type TrafficPoint = {
  __typename?: 'TrafficPoint';
  at: Scalars['DateTime']['output'];
  /** Percentage of cacheable queries answered from the response cache; null without any. */
  cacheHitRatio: Maybe<Scalars['Float']['output']>;
  /** Percentage of operations that failed on the hub's side; null without operations. */
  errorRate: Maybe<Scalars['Float']['output']>;
  /** p95 of the operations' answer times, in milliseconds; null without operations. */
  p95LatencyMs: Maybe<Scalars['Float']['output']>;
  /** Operations per second. */
  requestRate: Scalars['Float']['output'];
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
  Alert: ResolverTypeWrapper<AlertRow>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  AlertConnection: ResolverTypeWrapper<Connection<AlertRow>>;
  AlertEdge: ResolverTypeWrapper<Omit<AlertEdge, 'node'> & { node: ResolversTypes['Alert'] }>;
  AlertSeverity: AlertSeverity;
  AlertState: AlertState;
  CacheControlScope: CacheControlScope;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Health: ResolverTypeWrapper<HealthView>;
  HealthChange: ResolverTypeWrapper<DomainEvent>;
  HealthCircuit: ResolverTypeWrapper<HealthCircuit>;
  HealthCircuitState: HealthCircuitState;
  HealthComponent: ResolverTypeWrapper<ComponentRow>;
  HealthComponentKind: HealthComponentKind;
  HealthStatus: HealthStatus;
  HubEventNotice: ResolverTypeWrapper<DomainEvent>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  SlaReport: ResolverTypeWrapper<SlaReport>;
  SlaWindow: SlaWindow;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TrafficPoint: ResolverTypeWrapper<TrafficPoint>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Alert: AlertRow;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  Float: Scalars['Float']['output'];
  AlertConnection: Connection<AlertRow>;
  AlertEdge: Omit<AlertEdge, 'node'> & { node: ResolversParentTypes['Alert'] };
  DateTime: Scalars['DateTime']['output'];
  Health: HealthView;
  HealthChange: DomainEvent;
  HealthCircuit: HealthCircuit;
  HealthComponent: ComponentRow;
  HubEventNotice: DomainEvent;
  JSON: Scalars['JSON']['output'];
  PageInfo: PageInfo;
  Query: Record<PropertyKey, never>;
  SlaReport: SlaReport;
  Subscription: Record<PropertyKey, never>;
  TrafficPoint: TrafficPoint;
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
}>;

export type CacheControlDirectiveArgs = {
  inheritMaxAge?: Maybe<Scalars['Boolean']['input']>;
  maxAge?: Maybe<Scalars['Int']['input']>;
  scope?: Maybe<CacheControlScope>;
};

export type CacheControlDirectiveResolver<Result, Parent, ContextType = HealthContext, Args = CacheControlDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type AlertResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['Alert'] = ResolversParentTypes['Alert']> = ResolversObject<{
  component?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  raisedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  resolvedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  rule?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  severity?: Resolver<ResolversTypes['AlertSeverity'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['AlertState'], ParentType, ContextType>;
  threshold?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  value?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
}>;

export type AlertConnectionResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['AlertConnection'] = ResolversParentTypes['AlertConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['AlertEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type AlertEdgeResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['AlertEdge'] = ResolversParentTypes['AlertEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Alert'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type HealthResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['Health'] = ResolversParentTypes['Health']> = ResolversObject<{
  checkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  components?: Resolver<Array<ResolversTypes['HealthComponent']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HealthStatus'], ParentType, ContextType>;
}>;

export type HealthChangeResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['HealthChange'] = ResolversParentTypes['HealthChange']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  component?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<Maybe<ResolversTypes['HealthComponentKind']>, ParentType, ContextType>;
  overall?: Resolver<ResolversTypes['HealthStatus'], ParentType, ContextType>;
  previousStatus?: Resolver<Maybe<ResolversTypes['HealthStatus']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HealthStatus'], ParentType, ContextType>;
}>;

export type HealthCircuitResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['HealthCircuit'] = ResolversParentTypes['HealthCircuit']> = ResolversObject<{
  failures?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  openedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  state?: Resolver<ResolversTypes['HealthCircuitState'], ParentType, ContextType>;
}>;

export type HealthComponentResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['HealthComponent'] = ResolversParentTypes['HealthComponent']> = ResolversObject<{
  checkedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  circuit?: Resolver<Maybe<ResolversTypes['HealthCircuit']>, ParentType, ContextType>;
  details?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['HealthComponentKind'], ParentType, ContextType>;
  latencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HealthStatus'], ParentType, ContextType>;
}>;

export type HubEventNoticeResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['HubEventNotice'] = ResolversParentTypes['HubEventNotice']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subjectId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  subjectType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type PageInfoResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  alerts?: Resolver<ResolversTypes['AlertConnection'], ParentType, ContextType, RequireFields<QueryAlertsArgs, 'first'>>;
  health?: Resolver<ResolversTypes['Health'], ParentType, ContextType>;
  slaCompliance?: Resolver<Array<ResolversTypes['SlaReport']>, ParentType, ContextType, RequireFields<QuerySlaComplianceArgs, 'window'>>;
  traffic?: Resolver<Array<ResolversTypes['TrafficPoint']>, ParentType, ContextType, RequireFields<QueryTrafficArgs, 'minutes'>>;
}>;

export type SlaReportResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['SlaReport'] = ResolversParentTypes['SlaReport']> = ResolversObject<{
  availability?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  availabilityTarget?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  breaches?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  compliant?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  errorRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  errorRateTarget?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  integration?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['HealthComponentKind'], ParentType, ContextType>;
  p95LatencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p95LatencyTargetMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  samples?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  window?: Resolver<ResolversTypes['SlaWindow'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  alertRaised?: SubscriptionResolver<ResolversTypes['Alert'], "alertRaised", ParentType, ContextType, RequireFields<SubscriptionAlertRaisedArgs, 'minSeverity' | 'resolved'>>;
  healthChanged?: SubscriptionResolver<ResolversTypes['HealthChange'], "healthChanged", ParentType, ContextType, Partial<SubscriptionHealthChangedArgs>>;
  hubEvents?: SubscriptionResolver<ResolversTypes['HubEventNotice'], "hubEvents", ParentType, ContextType, Partial<SubscriptionHubEventsArgs>>;
}>;

export type TrafficPointResolvers<ContextType = HealthContext, ParentType extends ResolversParentTypes['TrafficPoint'] = ResolversParentTypes['TrafficPoint']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  cacheHitRatio?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  errorRate?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p95LatencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  requestRate?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = HealthContext> = ResolversObject<{
  Alert?: AlertResolvers<ContextType>;
  AlertConnection?: AlertConnectionResolvers<ContextType>;
  AlertEdge?: AlertEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Health?: HealthResolvers<ContextType>;
  HealthChange?: HealthChangeResolvers<ContextType>;
  HealthCircuit?: HealthCircuitResolvers<ContextType>;
  HealthComponent?: HealthComponentResolvers<ContextType>;
  HubEventNotice?: HubEventNoticeResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  SlaReport?: SlaReportResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  TrafficPoint?: TrafficPointResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = HealthContext> = ResolversObject<{
  cacheControl?: CacheControlDirectiveResolver<any, any, ContextType>;
}>;
