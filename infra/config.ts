import { z } from 'zod';

/**
 * Configuration is read from the environment once at start-up, validated and frozen.
 * Each service declares the variables it reads as a zod shape keyed by variable name, beside its
 * code (subgraphs/<name>/subgraph.ts, router/config.ts), from the parts and value types here;
 * the shapes are exported so that tests can check docker-compose.yml against them.
 */

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number, max = 1_000_000) => z.coerce.number().int().min(1).max(max).default(fallback);
export const nonNegativeInt = (fallback?: number, max = 100_000_000) => {
  const value = z.coerce.number().int().min(0).max(max);
  return fallback === undefined ? value : value.default(fallback);
};

export const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');

export const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL');

export const commonEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000, 600_000),
  /** Prometheus metrics (infra/metrics); `false` measures nothing and serves no /metrics (the bench's "off"). */
  METRICS: flag.default(true),
  /**
   * A second listener, on HOST, serving GET /metrics without credentials (for a Prometheus on the
   * internal network); default none. `npm start` opens one for all its services together.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /**
   * OpenTelemetry traces (infra/tracing), sent over OTLP/HTTP to `<this>/v1/traces`; unset, nothing
   * is traced. The standard variable, read here rather than by the exporter.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  /** Headers sent with every export, `name=value,name=value` (values URL-encoded), as the OTLP spec writes them; shown by length only. */
  OTEL_EXPORTER_OTLP_HEADERS: z.string().transform(otlpHeaders).optional(),
  /** The service name on this process's spans; default `interchange-<service>` (`npm start` always uses those). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
};

/** OTEL_EXPORTER_OTLP_HEADERS as a record; a pair without a header name and `=`, or with a bad escape, fails the variable. */
function otlpHeaders(value: string, ctx: z.core.$RefinementCtx<string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of value.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    const name = pair.slice(0, Math.max(equals, 0)).trim();
    const decoded = HEADER_NAME.test(name) ? uriDecoded(pair.slice(equals + 1).trim()) : undefined;
    if (decoded === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be comma-separated name=value pairs (values URL-encoded)' });
      return z.NEVER;
    }
    headers[name] = decoded;
  }
  return headers;
}

/** An HTTP header name (RFC 9110's token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function uriDecoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export const databaseEnv = {
  DATABASE_URL: postgresUrl,
  DB_POOL_MAX: positiveInt(10, 1000),
  DB_CONNECT_TIMEOUT_MS: positiveInt(5_000, 600_000),
  /** How long a starting subgraph waits for PostgreSQL to answer before it gives up. */
  DB_STARTUP_TIMEOUT_MS: positiveInt(60_000, 3_600_000),
};

export const redisUrl = z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL');

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
 * Names that hold secrets by convention (ROUTER_API_KEY, SAP_IDOC_INBOUND_PASSWORD, SAP_<ID>_OAUTH_CLIENT_SECRET…),
 * and OTEL_EXPORTER_OTLP_HEADERS (a collector's API key or Authorization): shown by length only too.
 */
const SECRET_NAME = /(_SECRET|_PASSWORD|_PASSPHRASE|_API_KEY|_OTLP_HEADERS)$/;

/**
 * Secrets published for a local trial (docker-compose.yml's former defaults): anyone can sign
 * with them, so NODE_ENV=production refuses them.
 */
export const TRIAL_SECRETS: readonly string[] = Object.freeze([
  'interchange-local-trial-internal-secret-change-me',
  'interchange-local-trial-jwt-secret-change-me',
]);

/** Shared by the router and the subgraphs only: signs and checks the internal identity header (x-interchange-identity). */
export const internalTokenSecret = z
  .string({ error: 'is required: a secret of 32 characters or more, the same for the router and every subgraph' })
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`);

/** Every subgraph requires it: a subgraph answers only requests signed by the router. */
export const internalTokenEnv = { INTERNAL_TOKEN_SECRET: internalTokenSecret };

export const executionEnv = {
  /** Subgraphs run operations compiled by graphql-jit; `false` runs them with graphql-js's execute. */
  GRAPHQL_JIT: flag.default(true),
};

/** What every domain subgraph reads: the common settings, its database, events, the internal header, execution. */
export function domainSubgraphEnv(defaultPort: number) {
  return { ...commonEnv, ...databaseEnv, ...eventsEnv, ...internalTokenEnv, ...executionEnv, PORT: port(defaultPort) };
}

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
 * A variable's value as a configuration error shows it: a secret (SECRET_VARIABLES, SECRET_NAME) by its
 * length only; a URL without its credentials, `postgres://user:(hidden)@host/db` (user info
 * without a password, which may be a token, and a query string, which may hold libpq's
 * `password=`, hidden whole); a `*_URL` variable that is not a URL by its length only; anything
 * else as it is.
 */
export function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  const hidden = `(${value.length} characters, hidden)`;
  if (SECRET_VARIABLES.has(name) || SECRET_NAME.test(name)) return hidden;
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

/** The frozen configuration a shape comes to. */
export type ConfigOf<Shape extends z.ZodRawShape> = ReturnType<typeof loadConfig<Shape>>;
