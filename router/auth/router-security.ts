import type { ApolloServerPlugin } from '@apollo/server';
import type { Kysely } from 'kysely';
import { ApiKeyVerifier } from '../../infra/auth/api-keys.js';
import type { AuditSink } from '../audit/audit.js';
import { PostgresAuditSink } from '../audit/postgres-audit-sink.js';
import type { RouterConfig } from '../config.js';
import type { Logger } from '../../infra/logger.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import type { RouterContext } from '../context.js';
import { rateLimitsFromConfig } from '../limits/rate-limits.js';
import { readAccessRequirements } from './access-requirements.js';
import { Authenticator, jwtVerifierFromConfig } from './authenticator.js';
import { LogAuditSink } from '../audit/log-audit-sink.js';
import { Safelist } from './safelist.js';
import { securityPlugin, type OperationGuard } from './security-plugin.js';

/** Everything the router needs for issue 5, built once from the configuration. */
export interface RouterSecurity {
  /** The supergraph as @apollo/gateway and the subscription planner take it (see readAccessRequirements). */
  gatewaySdl: string;
  authenticator: Authenticator;
  /** Safelist, rate limits and access rules: run for every operation, HTTP and WebSocket. */
  guard: OperationGuard;
  audit: AuditSink;
  /** Apollo Server's `persistedQueries` option: over the safelist when there is one, else the default. */
  persistedQueries: { cache: ReturnType<Safelist['persistedQueryCache']> } | undefined;
  plugin: ApolloServerPlugin<RouterContext>;
  close(): Promise<void>;
}

/**
 * Identity (JWT, and API keys when the router has a database), access rules from the supergraph,
 * rate limits (shared in Redis with REDIS_URL), the optional safelist and the audit sink
 * (PostgreSQL when the router has a database, the log otherwise). Failed logins are counted in
 * `metrics` when given. Throws ConfigError for a configuration that cannot work.
 */
export function createRouterSecurity(config: RouterConfig, supergraphSdl: string, logger: Logger, db?: Kysely<any>, metrics?: Registry): RouterSecurity {
  const { requirements, gatewaySdl } = readAccessRequirements(supergraphSdl);
  const jwt = jwtVerifierFromConfig(config);
  const safelist = config.SAFELIST_PATH ? Safelist.fromFile(config.SAFELIST_PATH) : undefined;
  const apiKeys = db ? new ApiKeyVerifier({ db, logger }) : undefined;
  const audit: AuditSink = db ? new PostgresAuditSink({ db, logger }) : new LogAuditSink(logger);
  const rateLimits = rateLimitsFromConfig(config, logger);
  const guard: OperationGuard = { requirements, rateLimits, safelist };
  logger.info(
    {
      protectedTypes: requirements.types.size,
      protectedFields: [...requirements.fields.values()].reduce((sum, fields) => sum + fields.size, 0),
      jwt: { hs256: Boolean(config.JWT_SECRET) || !config.JWKS_URL, jwks: Boolean(config.JWKS_URL) },
      apiKeys: Boolean(apiKeys),
      safelist: safelist?.size,
    },
    'router security',
  );
  return {
    gatewaySdl,
    authenticator: new Authenticator(jwt, apiKeys, { failuresPerAddress: config.AUTH_FAILURES_PER_ADDRESS, windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS }, metrics),
    guard,
    audit,
    persistedQueries: safelist ? { cache: safelist.persistedQueryCache() } : undefined,
    plugin: securityPlugin(guard, audit),
    async close() {
      await Promise.all([rateLimits.close(), audit.close(), apiKeys?.close()]);
    },
  };
}
