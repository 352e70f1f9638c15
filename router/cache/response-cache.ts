import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { getOperationAST, print, separateOperations, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import { PerOperation } from '../../infra/graphql/per-operation.js';
import type { Principal } from '../../infra/auth/principal.js';
import { ErrorCode } from '../../infra/errors.js';
import type { DomainEvent } from '../../infra/events/event.js';
import type { Logger } from '../../infra/logger.js';
import type { Tracing } from '../../infra/tracing/tracing.js';
import { entityTag, listTag, typeTag, type CacheStore, type CachedResponse } from './cache-store.js';
import { CacheTtls, type CacheTtl } from './cache-ttls.js';
import { collectEntityTags, entityKeysFromSupergraph, tagOperation, type EntityKeys, type TaggedOperation } from './entity-tags.js';
import { MemoryCacheStore } from './memory-cache-store.js';
import { RedisCacheStore } from './redis-cache-store.js';
import type { RestrictablePolicy, SubgraphCacheHints } from './subgraph-cache-hints.js';
import { TracedCacheStore } from './traced-cache-store.js';

/** Errors after which an expired entry within the grace window is served instead. */
const SUBGRAPH_FAILURES = new Set<unknown>([ErrorCode.SubgraphUnavailable, ErrorCode.Timeout, ErrorCode.CircuitOpen]);

export const CACHE_STATUS_HEADER = 'x-cache';

export interface CacheCounters {
  hits: number;
  misses: number;
  stores: number;
  /** Entries removed by purges (events, mutations, operators). */
  purged: number;
  /** Requests served without the cache because its storage failed (Redis down). */
  bypasses: number;
  /** Expired entries served because a subgraph failed. */
  staleServed: number;
}

export interface ResponseCacheOptions {
  store: CacheStore;
  entityKeys: EntityKeys;
  /** How long past its max-age an entry may still be served when a subgraph fails. */
  staleSeconds: number;
  /** Request headers that change what subgraphs answer (accept-language): part of the key. */
  varyHeaders: readonly string[];
  /** Seconds a subgraph answer without a Cache-Control header counts as (RESPONSE_CACHE_DEFAULT_MAX_AGE); 0: it makes the answer uncacheable. */
  defaultMaxAge?: number;
  /** RESPONSE_CACHE_TTLS, checked against the supergraph; none when it is empty. */
  ttls?: CacheTtls;
  logger: Logger;
}

/** What the cache knows of an operation it has seen validated. */
export interface CachedOperation {
  /** Hash of the normalised operation and its name. */
  key: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The document as validated (before tagging), its schema and its text's hash: for checking a request answered from the cache. */
  document: DocumentNode;
  schema: GraphQLSchema;
  queryHash: string;
  operationName: string | null;
  /** The variables the operation declares: the only ones that can change its answer, so the only ones in the key. */
  variableNames: readonly string[];
  tagged?: TaggedOperation;
  /** The fewest seconds RESPONSE_CACHE_TTLS allows a query's answer; undefined when no entry applies. */
  ttl?: number;
}

/** One request's dealings with the cache, kept in its context. */
export interface CacheRequestState {
  /**
   * `shared`: answers for everyone (PUBLIC by the subgraphs' hints). `caller`: answers for this
   * caller alone (the principal's), or, without credentials, for every caller without them.
   */
  keys?: { shared: string; caller: string };
  /** The purge sequence at lookup; absent when the lookup failed, and then nothing is stored. */
  sequence?: number;
  fresh?: CachedResponse | null;
  stale?: CachedResponse | null;
  /** For a query being executed: what its subgraph answers said beyond the cache policy (the subgraph data sources fill it in). */
  subgraphHints?: SubgraphCacheHints;
}

/** What the HTTP layer parsed: enough to find an operation the cache has seen. */
export interface GraphQLHttpRequest {
  method: string;
  /** The parsed JSON body of a POST. */
  body: unknown;
}

interface RequestFields {
  query?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  persistedHash?: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so that `{a, b}` and `{b, a}` are one key. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * The operation fields of a JSON POST body. Only those are answered before Apollo Server: a GET
 * must first pass Apollo Server's CSRF prevention, so GETs take the plugin's way to the cache.
 */
function fieldsOf(request: GraphQLHttpRequest): RequestFields | undefined {
  if (request.method !== 'POST' || typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) return undefined;
  const raw = request.body as Record<string, unknown>;
  const persisted = (raw.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  return {
    query: typeof raw.query === 'string' ? raw.query : undefined,
    operationName: typeof raw.operationName === 'string' ? raw.operationName : null,
    variables: typeof raw.variables === 'object' ? (raw.variables as Record<string, unknown> | null) : undefined,
    persistedHash: typeof persisted === 'string' ? persisted : undefined,
  };
}

/** How a request names its operation text: the text itself, or its persisted-query hash. */
function textKeys(fields: RequestFields): string[] {
  const name = fields.operationName ?? '';
  return [
    ...(fields.query !== undefined ? [`${name}\n${fields.query}`] : []),
    ...(fields.persistedHash !== undefined ? [`${name}\napq:${fields.persistedHash}`] : []),
  ];
}

function isFresh(entry: CachedResponse, now: number): boolean {
  return now - entry.storedAt < entry.maxAge * 1000;
}

const ageOf = (entry: CachedResponse, now: number) => Math.max(0, Math.floor((now - entry.storedAt) / 1000));
const cacheControlOf = (entry: CachedResponse) => `max-age=${entry.maxAge}, ${entry.scope.toLowerCase()}`;

/** Replaces an answer that failed for want of a subgraph with an expired one, said to be stale. */
function answerStale(context: GraphQLRequestContextWillSendResponse<BaseContext>, stale: CachedResponse, errors: readonly GraphQLFormattedError[]): void {
  const age = ageOf(stale, Date.now());
  const data = (JSON.parse(stale.body.toString()) as { data: Record<string, unknown> }).data;
  const codes = errors.map((error) => error.extensions?.code);
  context.response.body = {
    kind: 'single',
    singleResult: { data, extensions: { cache: { stale: true, ageSeconds: age, reason: 'a subgraph failed; this answer is older than its max-age', errors: codes } } },
  };
  const headers = context.response.http.headers;
  headers.set('cache-control', 'no-store');
  headers.set('age', String(age));
  headers.set(CACHE_STATUS_HEADER, 'STALE');
}

/**
 * The router's response cache. Queries whose every part allows caching (the subgraphs'
 * @cacheControl hints, carried in their Cache-Control headers, or RESPONSE_CACHE_DEFAULT_MAX_AGE
 * and RESPONSE_CACHE_TTLS for answers without them; see `settlePolicy`) are stored whole, tagged
 * with the entities they hold; events, mutations and operators purge by those tags. A repeated
 * query is answered before Apollo Server runs (`serve`), from the stored bytes; everything else
 * goes through the plugin.
 */
export class ResponseCache {
  readonly counters: CacheCounters = { hits: 0, misses: 0, stores: 0, purged: 0, bypasses: 0, staleServed: 0 };
  /** Operations by their text (or persisted-query hash) and name, once validated. */
  private readonly operationsByText = new LRUCache<string, CachedOperation>({ max: 2_000 });
  /** Operations by the validated document Apollo Server keeps for the text. */
  private readonly operationsByDocument = new PerOperation((document, operationName, validated: { schema: GraphQLSchema; queryHash: string }) =>
    this.describe(document, operationName, validated.schema, validated.queryHash),
  );
  /** Lookups made before Apollo Server, handed to the request's context. */
  private readonly states = new WeakMap<IncomingMessage, CacheRequestState>();
  private lastWarnedAt = 0;
  private purgeOwed = false;

  private readonly defaultMaxAge: number;

  constructor(private readonly options: ResponseCacheOptions) {
    this.defaultMaxAge = options.defaultMaxAge ?? 0;
  }

  /**
   * Answers a request from the cache before Apollo Server when the operation is a known query
   * with a fresh entry for this caller, once `admit` (the router's checks: credentials, access
   * rules, rate limits) lets it through. Otherwise returns false, and the request's context gets
   * what the lookup found.
   */
  async serve(
    request: GraphQLHttpRequest,
    req: IncomingMessage,
    res: ServerResponse,
    principal: Principal | undefined,
    admit: (operation: CachedOperation) => Promise<boolean>,
  ): Promise<boolean> {
    const fields = fieldsOf(request);
    if (!fields) return false;
    const operation = textKeys(fields)
      .map((key) => this.operationsByText.get(key))
      .find(Boolean);
    if (operation?.type !== 'query') return false;
    const state = await this.lookup(operation, fields.variables, (name) => req.headers[name], principal);
    const entry = state.fresh;
    if (!entry || !(await admit(operation))) {
      this.states.set(req, state);
      return false;
    }
    this.counters.hits += 1;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': entry.body.length,
      'cache-control': cacheControlOf(entry),
      age: String(ageOf(entry, Date.now())),
      [CACHE_STATUS_HEADER]: 'HIT',
    });
    res.end(entry.body);
    return true;
  }

  /** What `serve` found for this request, for its context. */
  stateFor(req: IncomingMessage): CacheRequestState {
    return this.states.get(req) ?? {};
  }

  /** Purges what events changed: each entity itself and every cached list of its type, in one purge. */
  purgeForEvents(events: readonly DomainEvent[]): Promise<number> {
    const tags = new Set<string>();
    for (const event of events) tags.add(entityTag(event.subject.typename, event.subject.id)).add(listTag(event.subject.typename));
    return this.purge([...tags]);
  }

  /** Purges every entry holding an entity of `typename`, and every list of it. */
  purgeType(typename: string): Promise<number> {
    return this.purge([typeTag(typename), listTag(typename)]);
  }

  /**
   * Removes the entries carrying any of `tags` (`Order:42`, `list:Order`), or all of them.
   * Rejects if storage fails; the cache then owes a purge of everything, paid before it next
   * serves an entry, so nothing a lost purge should have removed is served once storage is back.
   */
  async purge(tags: readonly string[] | 'all'): Promise<number> {
    if (tags !== 'all' && tags.length === 0) return 0;
    try {
      const removed = await this.options.store.purge(tags);
      this.counters.purged += removed;
      return removed;
    } catch (error) {
      this.purgeOwed = true;
      throw error;
    }
  }

  /** An Apollo Server plugin: tags operations, answers hits it finds, stores misses, purges after mutations. */
  plugin<TContext extends { principal?: Principal; cache?: CacheRequestState; socket?: unknown }>(): ApolloServerPlugin<TContext> {
    const cache = this;
    return {
      async requestDidStart(start) {
        // Operations over graphql-ws are not cached.
        if (start.contextValue.socket) return;
        const state = (start.contextValue.cache ??= {});
        let operation: CachedOperation | undefined;
        let answered = false;
        return {
          async didResolveOperation(context) {
            operation = cache.operationFor(context.document, context.operationName, context.schema, context.queryHash);
            if (!operation) return;
            const fields: RequestFields = {
              query: context.request.query,
              operationName: context.request.operationName ?? null,
              persistedHash: (context.request.extensions?.persistedQuery as { sha256Hash?: string } | undefined)?.sha256Hash,
            };
            for (const key of textKeys(fields)) cache.operationsByText.set(key, operation);
            if (operation.tagged) (context as { document: DocumentNode }).document = operation.tagged.document;
            if (operation.type === 'query') state.subgraphHints = { unhinted: false, unscoped: false };
          },

          async responseForOperation(context) {
            if (operation?.type !== 'query') return null;
            if (!state.keys) {
              Object.assign(state, await cache.lookup(operation, context.request.variables, (name) => context.request.http?.headers.get(name), context.contextValue.principal));
            }
            const entry = state.fresh;
            if (!entry) return null;
            answered = true;
            cache.counters.hits += 1;
            context.overallCachePolicy.replace({ maxAge: entry.maxAge, scope: entry.scope });
            const headers = context.response.http.headers;
            headers.set('age', String(ageOf(entry, Date.now())));
            headers.set(CACHE_STATUS_HEADER, 'HIT');
            return { http: context.response.http, body: { kind: 'single', singleResult: JSON.parse(entry.body.toString()) } };
          },

          // Before willSendResponse, where Apollo Server writes the answer's Cache-Control from the policy.
          async executionDidStart(context) {
            const hints = state.subgraphHints;
            if (operation?.type !== 'query' || !hints) return;
            const settled = operation;
            return {
              async executionDidEnd() {
                cache.settlePolicy(context.overallCachePolicy, settled, hints, context.contextValue.principal !== undefined);
              },
            };
          },

          async willSendResponse(context) {
            if (!operation?.tagged || answered || context.response.body.kind !== 'single') return;
            const result = context.response.body.singleResult;
            const tags = collectEntityTags(result.data, cache.options.entityKeys);
            if (operation.type === 'mutation') {
              await cache.guard(cache.purge(tags));
              return;
            }
            if (operation.type !== 'query') return;
            cache.counters.misses += 1;
            const headers = context.response.http.headers;
            if (result.errors?.length) {
              if (state.stale && cache.servesStale(result.errors, state.stale)) {
                cache.counters.staleServed += 1;
                answerStale(context, state.stale, result.errors);
              } else {
                headers.set(CACHE_STATUS_HEADER, 'MISS');
              }
              return;
            }
            headers.set(CACHE_STATUS_HEADER, state.sequence === undefined ? 'BYPASS' : 'MISS');
            const policy = context.overallCachePolicy.policyIfCacheable();
            const key = cache.keyFor(policy?.scope, state, context.contextValue.principal !== undefined);
            if (!policy || !key || state.sequence === undefined || result.extensions) return;
            const entry: CachedResponse = { body: Buffer.from(`${JSON.stringify({ data: result.data })}\n`), storedAt: Date.now(), maxAge: policy.maxAge, scope: policy.scope };
            const stored = await cache.guard(
              cache.options.store.store(key, entry, [...tags, ...operation.tagged.listTags], policy.maxAge + cache.options.staleSeconds, state.sequence),
            );
            if (stored) cache.counters.stores += 1;
          },
        };
      },
    };
  }

  /**
   * Completes a query's policy once its subgraphs have answered: an answer without a
   * Cache-Control header counts as RESPONSE_CACHE_DEFAULT_MAX_AGE, else as the operation's TTL,
   * else as 0; the operation's TTL caps what the subgraphs allowed. With credentials, a policy
   * that a hint did not say PUBLIC for (a defaulted answer, or a hint without a scope) is PRIVATE,
   * as RFC 9111 §3.5 asks of shared caches for requests with Authorization.
   */
  private settlePolicy(policy: RestrictablePolicy & { maxAge?: number }, operation: CachedOperation, hints: SubgraphCacheHints, credentials: boolean): void {
    const { ttl } = operation;
    if (hints.unhinted) policy.restrict({ maxAge: this.defaultMaxAge > 0 ? this.defaultMaxAge : (ttl ?? 0) });
    // Only a policy some subgraph answer made: `{ __typename }` asks none, and stays uncacheable.
    if (ttl !== undefined && policy.maxAge !== undefined) policy.restrict({ maxAge: ttl });
    if (credentials && (hints.unhinted || hints.unscoped)) policy.restrict({ scope: 'PRIVATE' });
  }

  /**
   * Where an answer is stored: PUBLIC by the subgraphs' hints, for everyone; PRIVATE, for the
   * caller with credentials (not at all without); defaulted (a subgraph sent no hint), for this
   * caller alone: a caller with credentials has a PRIVATE policy by then, and one without shares
   * it with the other callers without credentials only, never with a caller who has them.
   */
  private keyFor(scope: 'PUBLIC' | 'PRIVATE' | undefined, state: CacheRequestState, credentials: boolean): string | undefined {
    if (!scope || !state.keys) return undefined;
    if (scope === 'PRIVATE') return credentials ? state.keys.caller : undefined;
    return state.subgraphHints?.unhinted ? state.keys.caller : state.keys.shared;
  }

  /** The cache's view of a validated operation, computed once per document Apollo Server keeps. */
  private operationFor(document: DocumentNode | undefined, operationName: string | null | undefined, schema: GraphQLSchema, queryHash: string): CachedOperation | undefined {
    return (document && this.operationsByDocument.get(document, operationName, { schema, queryHash })) ?? undefined;
  }

  private describe(document: DocumentNode, operationName: string | undefined, schema: GraphQLSchema, queryHash: string): CachedOperation | null {
    const name = operationName ?? '';
    const ast = getOperationAST(document, operationName);
    if (!ast) return null;
    const normalised = print(separateOperations(document)[ast.name?.value ?? ''] ?? document);
    return {
      key: sha256(`${normalised}\n${name}`),
      type: ast.operation,
      document,
      schema,
      queryHash,
      operationName: ast.name?.value ?? null,
      variableNames: (ast.variableDefinitions ?? []).map((definition) => definition.variable.name.value),
      tagged: ast.operation === 'subscription' ? undefined : tagOperation(schema, document, this.options.entityKeys),
      ttl: ast.operation === 'query' ? this.options.ttls?.forOperation(schema, document, operationName) : undefined,
    };
  }

  private async lookup(
    operation: CachedOperation,
    variables: Record<string, unknown> | null | undefined,
    header: (name: string) => string | string[] | undefined | null,
    principal: Principal | undefined,
  ): Promise<CacheRequestState> {
    const vary = this.options.varyHeaders.map((name) => String(header(name) ?? '')).join('\n');
    let values: string;
    try {
      // An omitted variable (its default applies) and an explicit null are different keys.
      values = canonicalJson(Object.fromEntries(operation.variableNames.filter((name) => variables && name in variables).map((name) => [name, variables![name]])));
    } catch {
      // Values nested past the stack's depth: such a request is answered without the cache (and Apollo Server refuses it).
      return {};
    }
    const shared = sha256(`${operation.key}\n${values}\n${vary}`);
    const keys = { shared, caller: principal ? `${shared}:${principal.kind}:${principal.id}` : `${shared}:anonymous` };
    if (this.purgeOwed && (await this.guard(this.purge('all'))) !== undefined) this.purgeOwed = false;
    const found = this.purgeOwed ? undefined : await this.guard(this.options.store.lookup([shared, keys.caller]));
    if (!found) return { keys };
    const now = Date.now();
    const entries = found.entries.filter((entry): entry is CachedResponse => entry !== null);
    const fresh = entries.find((entry) => isFresh(entry, now)) ?? null;
    return { keys, sequence: found.sequence, fresh, stale: fresh ? null : (entries[0] ?? null) };
  }

  private servesStale(errors: readonly GraphQLFormattedError[], stale: CachedResponse): boolean {
    const withinGrace = Date.now() - stale.storedAt < (stale.maxAge + this.options.staleSeconds) * 1000;
    return withinGrace && errors.some((error) => SUBGRAPH_FAILURES.has(String(error.extensions?.code)));
  }

  /** Runs a storage call; if storage fails, counts a bypass, logs at most every 30 s, and resolves undefined. */
  private async guard<T>(call: Promise<T>): Promise<T | undefined> {
    try {
      return await call;
    } catch (error) {
      this.counters.bypasses += 1;
      if (Date.now() - this.lastWarnedAt >= 30_000) {
        this.lastWarnedAt = Date.now();
        this.options.logger.warn({ err: error }, 'the response cache storage failed; serving without the cache until it answers');
      }
      return undefined;
    }
  }

  close(): Promise<void> {
    return this.options.store.close();
  }
}

/**
 * The response cache the configuration asks for: in Redis with REDIS_URL, in this process
 * otherwise; its storage calls are spans with `tracing`. Throws a ConfigError for a
 * RESPONSE_CACHE_TTLS entry that names no type or field of the supergraph.
 */
export async function createResponseCache(
  config: {
    REDIS_URL?: string;
    RESPONSE_CACHE_MAX_ENTRIES: number;
    RESPONSE_CACHE_STALE_SECONDS: number;
    RESPONSE_CACHE_TIMEOUT_MS: number;
    RESPONSE_CACHE_DEFAULT_MAX_AGE: number;
    RESPONSE_CACHE_TTLS: readonly CacheTtl[];
    FORWARD_HEADERS: readonly string[];
  },
  deps: { supergraphSdl: string; logger: Logger; tracing?: Tracing | undefined },
): Promise<ResponseCache> {
  const ttls = CacheTtls.fromSupergraph(config.RESPONSE_CACHE_TTLS, deps.supergraphSdl);
  let store: CacheStore;
  if (config.REDIS_URL) {
    const redis = new RedisCacheStore(config.REDIS_URL, {
      timeoutMs: config.RESPONSE_CACHE_TIMEOUT_MS,
      onError: (error) => deps.logger.debug({ err: error }, 'response cache: redis connection error'),
    });
    if (!(await redis.connect())) deps.logger.warn('Redis does not answer: responses are served without the cache until it does');
    store = redis;
  } else {
    store = new MemoryCacheStore(config.RESPONSE_CACHE_MAX_ENTRIES);
  }
  return new ResponseCache({
    store: deps.tracing ? new TracedCacheStore(store, deps.tracing, config.REDIS_URL ? 'redis' : 'memory') : store,
    entityKeys: entityKeysFromSupergraph(deps.supergraphSdl),
    staleSeconds: config.RESPONSE_CACHE_STALE_SECONDS,
    defaultMaxAge: config.RESPONSE_CACHE_DEFAULT_MAX_AGE,
    ttls,
    // Credentials vary per request and never change what may be cached: the principal does.
    varyHeaders: config.FORWARD_HEADERS.filter((name) => name !== 'authorization' && name !== 'x-api-key'),
    logger: deps.logger,
  });
}
