import { z } from 'zod';
import { MIN_SECRET_LENGTH, commonEnv, flag, httpUrl, internalTokenSecret, nonNegativeInt, port, positiveInt, postgresUrl, redisUrl, type ConfigOf } from '../infra/config.js';
import { isAddressOrRange } from '../infra/http/client-ip.js';
import { fromRoot } from '../infra/paths.js';
import { parseCacheTtls } from './cache/cache-ttls.js';
import { PLANNERS } from './execution/planners/planner.js';

/** What the router reads from its environment (see infra/config.ts for how it is read). */
export const routerEnv = {
  ...commonEnv,
  /** Optional for the router: with it come API keys, audit records and event-driven cache purges. */
  DATABASE_URL: postgresUrl.optional(),
  /** The router's connections to it (API keys, audit records, the event follower). */
  ROUTER_DB_POOL_MAX: positiveInt(5, 1000),
  /** Optional: with it, replicas share the response cache and rate-limit counters. */
  REDIS_URL: redisUrl.optional(),
  /** Schema introspection; default: on unless NODE_ENV=production. */
  INTROSPECTION: flag.optional(),
  /** The Apollo Sandbox landing page; default: on unless NODE_ENV=production. */
  SANDBOX: flag.optional(),
  PORT: port(4000),
  /**
   * Optional for the router: with it, every subgraph request carries the verified caller in the
   * signed internal header. The hub's subgraphs refuse requests without it.
   */
  INTERNAL_TOKEN_SECRET: internalTokenSecret.optional(),
  /**
   * The subgraphs (by name) that get the signed internal header; default: the hub's own
   * (HUB_SUBGRAPHS) that the supergraph has. Name others only if you trust them with it.
   */
  INTERNAL_TOKEN_SUBGRAPHS: z
    .string()
    .transform((value) => value.split(',').map((name) => name.trim()).filter(Boolean))
    .optional(),
  /** HS256 secret for callers' bearer JWTs (at least 32 characters). In production this or JWKS_URL is required. */
  JWT_SECRET: z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`).optional(),
  /** A JWKS endpoint for RS256/ES256 bearer JWTs; keys are cached and a token with an unknown key id refetches them. */
  JWKS_URL: httpUrl.optional(),
  /** With JWKS_URL, accept HS256 tokens signed with JWT_SECRET as well; default: JWKS_URL's tokens only. */
  JWT_HS256_WITH_JWKS: flag.default(false),
  /** After fetching the JWKS, seconds before a token with an unknown key id may make the router fetch it again. */
  JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** When set, a bearer JWT's `iss` must equal it. */
  JWT_ISSUER: z.string().min(1).optional(),
  /** When set, a bearer JWT's `aud` must contain it. */
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Seconds of clock difference tolerated for `exp` and `nbf`. */
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** Development only: where the local JWT secret (dev-jwt-secret) is kept when neither JWT_SECRET nor JWKS_URL is set. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** The window every rate limit counts in. */
  RATE_LIMIT_WINDOW_SECONDS: positiveInt(60, 86_400),
  /** Operations per window for one caller (a principal, or an IP address without credentials); 0: no limit. */
  RATE_LIMIT_PER_CLIENT: nonNegativeInt(600),
  /** Operations per window for the whole router (shared by replicas with REDIS_URL); 0: no limit. */
  RATE_LIMIT_GLOBAL: nonNegativeInt(0),
  /** Operations per window with one operation name, over all callers; 0: no limit. */
  RATE_LIMIT_PER_OPERATION: nonNegativeInt(0),
  /** Per-client limits for a role, instead of RATE_LIMIT_PER_CLIENT (a caller with several roles gets the highest); 0: no limit. */
  RATE_LIMIT_ROLE_ADMIN: nonNegativeInt().optional(),
  RATE_LIMIT_ROLE_API_USER: nonNegativeInt().optional(),
  RATE_LIMIT_ROLE_SAP_INTEGRATION: nonNegativeInt().optional(),
  RATE_LIMIT_ROLE_READONLY: nonNegativeInt().optional(),
  /** A JSON file of the only operations the router runs: `{ "<sha256 of the text>": "<text>" }` or `["<text>", ...]`. */
  SAFELIST_PATH: z.string().min(1).optional(),
  /** Relative paths are resolved from the folder the command was started in. Default: the hub's own supergraph. */
  SUPERGRAPH_PATH: z.string().min(1).default(fromRoot('schema/supergraph.graphql')),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean)),
  SUBGRAPH_TIMEOUT_MS: positiveInt(5_000, 600_000),
  /** Operation limits, checked before anything is planned (see router/limits). */
  OPERATION_MAX_DEPTH: positiveInt(12, 1_000),
  /** Depth through `__schema` and `__type`: the standard introspection query is 15 deep. */
  OPERATION_MAX_INTROSPECTION_DEPTH: positiveInt(20, 1_000),
  OPERATION_MAX_ALIASES: positiveInt(30, 10_000),
  OPERATION_MAX_ROOT_FIELDS: positiveInt(10, 1_000),
  OPERATION_MAX_DIRECTIVES: positiveInt(30, 10_000),
  OPERATION_MAX_TOKENS: positiveInt(5_000, 1_000_000),
  OPERATION_MAX_COST: positiveInt(10_000, 100_000_000),
  /** Selections an operation comes to with every fragment spread expanded where it is spread. */
  OPERATION_MAX_SELECTIONS: positiveInt(10_000, 10_000_000),
  /** A client must have sent its request headers within this (slow clients get 408 and are closed). */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt(10_000, 600_000),
  /** A client must have sent its whole request within this (408 otherwise). */
  HTTP_REQUEST_TIMEOUT_MS: positiveInt(30_000, 3_600_000),
  /** The largest graphql-ws message accepted; a larger one closes the socket with 1009. */
  WS_MAX_PAYLOAD_BYTES: positiveInt(1024 * 1024, 64 * 1024 * 1024),
  /** A WebSocket must send `connection_init` within this, or it is closed with 4408. */
  WS_CONNECTION_INIT_TIMEOUT_MS: positiveInt(5_000, 600_000),
  /** Open WebSockets from one client address; past it a new one is closed with 4290. 0: no limit. */
  WS_MAX_CONNECTIONS_PER_ADDRESS: nonNegativeInt(256, 1_000_000),
  /** Open WebSockets of one principal; past it a new one is closed with 4291. 0: no limit. */
  WS_MAX_CONNECTIONS_PER_PRINCIPAL: nonNegativeInt(64, 1_000_000),
  /** Operations running at once on one WebSocket; one more closes it with 4292. 0: no limit. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: nonNegativeInt(100, 1_000_000),
  /** Failed logins (bad token or API key) per client address and rate-limit window before its credentials are not even checked; 0: no limit. */
  AUTH_FAILURES_PER_ADDRESS: nonNegativeInt(30, 1_000_000),
  /** Keep-alive connections the router holds to each subgraph at most. */
  SUBGRAPH_CONNECTIONS: positiveInt(64, 10_000),
  /** The whole operation's deadline: subgraph calls (and retries) after it fail with TIMEOUT. */
  OPERATION_TIMEOUT_MS: positiveInt(15_000, 600_000),
  /** Attempts for a subgraph query (mutations are never retried). */
  SUBGRAPH_MAX_ATTEMPTS: positiveInt(2, 10),
  /** Retries allowed as a share of subgraph calls. */
  SUBGRAPH_RETRY_BUDGET: z.coerce.number().min(0).max(1).default(0.2),
  /** Consecutive failures that open a subgraph's circuit. */
  SUBGRAPH_BREAKER_FAILURES: positiveInt(5, 1_000),
  /** How long an open circuit waits before a trial call. */
  SUBGRAPH_BREAKER_RESET_MS: positiveInt(10_000, 3_600_000),
  /** Requests in flight to one subgraph at once (as many more may wait). */
  SUBGRAPH_MAX_CONCURRENCY: positiveInt(100, 100_000),
  /** Bytes a subscriber's socket may have waiting to be sent; past it the client is disconnected (close code 4008). */
  SUBSCRIPTION_MAX_BUFFERED_BYTES: positiveInt(4 * 1024 * 1024, 1024 * 1024 * 1024),
  /** Who plans operations: Hive Router's planner (`hive`, MIT) or Apollo's (`apollo`, @apollo/query-planner, Elastic-2.0). */
  QUERY_PLANNER: z.enum(PLANNERS).default('hive'),
  /** The response cache: in Redis with REDIS_URL (shared by replicas), in process otherwise. */
  RESPONSE_CACHE: flag.default(true),
  /** Entries the in-process cache holds at most (least recently used go first). */
  RESPONSE_CACHE_MAX_ENTRIES: positiveInt(10_000, 10_000_000),
  /** How long past its max-age an entry may still be served when a subgraph fails (stale-if-error). */
  RESPONSE_CACHE_STALE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Redis commands of the cache give up after this; the request is then served without the cache. */
  RESPONSE_CACHE_TIMEOUT_MS: positiveInt(100, 10_000),
  /** Seconds a subgraph answer without a Cache-Control header counts as; 0: such an answer is never cached. */
  RESPONSE_CACHE_DEFAULT_MAX_AGE: nonNegativeInt(0, 31_536_000),
  /**
   * Most seconds for answers holding a type or selecting a field: `Product=60,Query.topProducts=30`
   * (0: never cached). They cap the subgraphs' hints and stand in for missing ones; names are
   * checked against the supergraph at start.
   */
  RESPONSE_CACHE_TTLS: z.string().default('').transform(parseCacheTtls),
  /**
   * Proxies (addresses or CIDR ranges) whose X-Forwarded-For the router believes for the caller's
   * address (rate limits of callers without credentials, audit records). Default: none.
   */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
    .refine((entries) => entries.every(isAddressOrRange), 'must be comma-separated IP addresses or CIDR ranges'),
  /**
   * Client request headers passed on to subgraphs (x-request-id always is). Not the client's
   * credentials by default: subgraphs learn the verified caller from the internal header.
   */
  FORWARD_HEADERS: z
    .string()
    .default('accept-language')
    .transform((value) => value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean)),
};

export type RouterConfig = ConfigOf<typeof routerEnv>;

