import { z } from 'zod';
import { isAddressOrRange } from './http/client-ip.js';
import { fromRoot } from './paths.js';

/**
 * Configuration is read from the environment once at start-up, validated and frozen.
 * Each service declares the variables it reads as a zod shape keyed by variable name;
 * the shapes are exported so that tests can check docker-compose.yml against them.
 */

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const positiveInt = (fallback: number, max = 1_000_000) => z.coerce.number().int().min(1).max(max).default(fallback);
const nonNegativeInt = (fallback?: number, max = 100_000_000) => {
  const value = z.coerce.number().int().min(0).max(max);
  return fallback === undefined ? value : value.default(fallback);
};

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL');

export const commonEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000, 600_000),
};

export const databaseEnv = {
  DATABASE_URL: postgresUrl,
  DB_POOL_MAX: positiveInt(10, 1000),
  DB_CONNECT_TIMEOUT_MS: positiveInt(5_000, 600_000),
  /** How long a starting subgraph waits for PostgreSQL to answer before it gives up. */
  DB_STARTUP_TIMEOUT_MS: positiveInt(60_000, 3_600_000),
};

const redisUrl = z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL');

export const eventsEnv = {
  /** With it, event wake-ups go through Redis pub/sub instead of PostgreSQL LISTEN/NOTIFY. */
  REDIS_URL: redisUrl.optional(),
  /** Stored events older than this are pruned; a subscription cannot resume before them. */
  EVENTS_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(7),
};

/** The shortest secret accepted (JWT_SECRET, INTERNAL_TOKEN_SECRET): 32 characters, so that HS256 is not brute-forced. */
export const MIN_SECRET_LENGTH = 32;

/** Variables whose values are secrets: a configuration error never shows them, only their length. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set(['JWT_SECRET', 'INTERNAL_TOKEN_SECRET']);

/**
 * Secrets published for a local trial (docker-compose.yml's former defaults): anyone can sign
 * with them, so NODE_ENV=production refuses them.
 */
export const TRIAL_SECRETS: readonly string[] = Object.freeze([
  'interchange-local-trial-internal-secret-change-me',
  'interchange-local-trial-jwt-secret-change-me',
]);

/** Shared by the router and the subgraphs only: signs and checks the internal identity header (x-interchange-identity). */
const internalTokenSecret = z
  .string({ error: 'is required: a secret of 32 characters or more, the same for the router and every subgraph' })
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`);

/** Every subgraph requires it: a subgraph answers only requests signed by the router. */
export const internalTokenEnv = { INTERNAL_TOKEN_SECRET: internalTokenSecret };

export const executionEnv = {
  /** Subgraphs run operations compiled by graphql-jit; `false` runs them with graphql-js's execute. */
  GRAPHQL_JIT: flag.default(true),
};

export const customersEnv = { ...commonEnv, ...databaseEnv, ...eventsEnv, ...internalTokenEnv, ...executionEnv, PORT: port(4001) };

export const ordersEnv = {
  ...commonEnv,
  ...databaseEnv,
  ...eventsEnv,
  ...internalTokenEnv,
  ...executionEnv,
  PORT: port(4002),
  /** The customers subgraph, asked (never its tables) whether a customer exists. */
  CUSTOMERS_URL: httpUrl.default('http://localhost:4001/graphql'),
};

export const accessEnv = {
  ...commonEnv,
  ...databaseEnv,
  ...eventsEnv,
  ...internalTokenEnv,
  ...executionEnv,
  PORT: port(4003),
  /** Audit records older than this are pruned (hourly). */
  AUDIT_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(90),
};

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
  /** The response cache: in Redis with REDIS_URL (shared by replicas), in process otherwise. */
  RESPONSE_CACHE: flag.default(true),
  /** Entries the in-process cache holds at most (least recently used go first). */
  RESPONSE_CACHE_MAX_ENTRIES: positiveInt(10_000, 10_000_000),
  /** How long past its max-age an entry may still be served when a subgraph fails (stale-if-error). */
  RESPONSE_CACHE_STALE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Redis commands of the cache give up after this; the request is then served without the cache. */
  RESPONSE_CACHE_TIMEOUT_MS: positiveInt(100, 10_000),
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

/** `npm start`: the whole hub in one process. Without DATABASE_URL it runs embedded PostgreSQL. */
export const hubEnv = {
  ...routerEnv,
  ...databaseEnv,
  ...eventsEnv,
  ...executionEnv,
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  PORT: port(4000),
  CUSTOMERS_PORT: port(4001),
  ORDERS_PORT: port(4002),
  ACCESS_PORT: port(4003),
  AUDIT_RETENTION_DAYS: accessEnv.AUDIT_RETENTION_DAYS,
};

/** Per-subgraph URL overrides for the router: SUBGRAPH_<NAME>_URL, NAME upper-cased with non-alphanumerics as `_`. */
export function subgraphUrlVariable(subgraphName: string): string {
  return `SUBGRAPH_${subgraphName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

interface Problem {
  name: string;
  message: string;
}

/**
 * Parses `env` against `shape`; a bad value throws a ConfigError naming every bad variable and
 * its value (a secret's length only, a URL without its credentials: see `shownValue`). Beyond
 * the shape, secrets are checked by `secretProblems`.
 */
export function loadConfig<Shape extends z.ZodRawShape>(shape: Shape, env: Env = process.env): Readonly<z.output<z.ZodObject<Shape>>> {
  const picked: Env = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    // An empty variable means "not set", as in most shells and compose files.
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = z.object(shape).safeParse(picked);
  const problems: Problem[] = result.success ? [] : result.error.issues.map((issue) => ({ name: String(issue.path[0]), message: issue.message }));
  problems.push(...secretProblems(picked, new Set(problems.map((problem) => problem.name))));
  if (!result.success || problems.length > 0) {
    const lines = problems.map(({ name, message }) => `  ${name}=${shownValue(name, picked[name])}: ${message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

/**
 * What the shapes cannot say about secrets: with NODE_ENV=production none is shorter than
 * MIN_SECRET_LENGTH or one of the TRIAL_SECRETS, and JWT_SECRET is never INTERNAL_TOKEN_SECRET
 * (a captured internal header would then be a bearer token the router accepts). `flagged`:
 * variables the shape refused already, not reported twice.
 */
function secretProblems(picked: Env, flagged: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const production = picked.NODE_ENV === 'production';
  for (const name of SECRET_VARIABLES) {
    const value = picked[name];
    if (value === undefined || flagged.has(name) || !production) continue;
    if (value.length < MIN_SECRET_LENGTH) problems.push({ name, message: `must be at least ${MIN_SECRET_LENGTH} characters when NODE_ENV=production` });
    else if (TRIAL_SECRETS.includes(value)) {
      problems.push({ name, message: 'is a published trial value that anyone can sign with: set a secret of your own (openssl rand -base64 32) when NODE_ENV=production' });
    }
  }
  if (picked.JWT_SECRET !== undefined && picked.JWT_SECRET === picked.INTERNAL_TOKEN_SECRET && !flagged.has('JWT_SECRET')) {
    problems.push({ name: 'JWT_SECRET', message: 'must differ from INTERNAL_TOKEN_SECRET' });
  }
  return problems;
}

/**
 * A variable's value as a configuration error shows it: a secret (SECRET_VARIABLES) by its
 * length only; a URL without its credentials, `postgres://user:(hidden)@host/db` (user info
 * without a password, which may be a token, and a query string, which may hold libpq's
 * `password=`, hidden whole); a `*_URL` variable that is not a URL by its length only; anything
 * else as it is.
 */
export function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  const hidden = `(${value.length} characters, hidden)`;
  if (SECRET_VARIABLES.has(name)) return hidden;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0];
  if (!scheme) return name.endsWith('_URL') ? hidden : JSON.stringify(value);
  let rest = value.slice(scheme.length);
  let userInfo = '';
  // The last `@`: a password may hold an unescaped `@`, `/` or `?`.
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    const colon = rest.indexOf(':');
    userInfo = colon !== -1 && colon < at ? `${rest.slice(0, colon)}:(hidden)@` : '(hidden)@';
    rest = rest.slice(at + 1);
  }
  const query = rest.search(/[?#]/);
  if (query !== -1) rest = `${rest.slice(0, query)}?(hidden)`;
  return JSON.stringify(`${scheme}${userInfo}${rest}`);
}

export type CustomersConfig = ReturnType<typeof loadConfig<typeof customersEnv>>;
export type OrdersConfig = ReturnType<typeof loadConfig<typeof ordersEnv>>;
export type AccessConfig = ReturnType<typeof loadConfig<typeof accessEnv>>;
export type RouterConfig = ReturnType<typeof loadConfig<typeof routerEnv>>;
export type HubConfig = ReturnType<typeof loadConfig<typeof hubEnv>>;
