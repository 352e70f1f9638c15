import { Redis } from 'ioredis';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../../infra/auth/principal.js';
import type { RouterConfig } from '../config.js';
import { ErrorCode } from '../../infra/errors.js';
import type { Logger } from '../../infra/logger.js';

export interface RateLimitOptions {
  /** The window every limit counts operations in. */
  windowSeconds: number;
  /** Operations per window for one caller without a role limit (and for anonymous callers, by IP); 0: none. */
  perClient: number;
  /** Per-client limits by role; a caller with several roles gets the highest. 0: none. */
  perRole: Readonly<Record<string, number | undefined>>;
  /** Operations per window through this router (all replicas, with Redis); 0: none. */
  global: number;
  /** Operations per window with one operation name, over all callers; 0: none. */
  perOperation: number;
  /** With it, the counters live in Redis and replicas share them; without, each process counts its own. */
  redisUrl?: string;
}

/** Which limit an operation is over, and when it may try again. */
export interface RateLimited {
  /** `authentication`: too many failed logins from the caller's address. */
  limit: 'global' | 'client' | 'operation' | 'authentication';
  retryAfterSeconds: number;
}

/** The operation counts against these: the caller (principal or IP), its operation name, and the router. */
export interface RateLimitSubject {
  principal: Principal | undefined;
  clientIp: string;
  operationName: string | null | undefined;
}

/**
 * Global, per-client and per-operation-name rate limits (rate-limiter-flexible, fixed windows).
 * With Redis the counters are shared by every replica; when Redis does not answer, each process
 * falls back to in-memory counters of the same size (the insurance limiter) and keeps serving.
 */
export class RateLimits {
  private readonly redis: Redis | undefined;
  private readonly global: RateLimiterAbstract | undefined;
  private readonly operation: RateLimiterAbstract | undefined;
  /** One limiter per distinct per-client limit (the default and each role's), keyed by its points. */
  private readonly clients = new Map<number, RateLimiterAbstract>();
  private redisDownLogged = false;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly logger: Logger,
  ) {
    if (options.redisUrl) {
      // No offline queue and a short command timeout: a Redis outage sends counts to the insurance limiter at once.
      this.redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000 });
      this.redis.on('error', (error) => {
        if (this.redisDownLogged) return;
        this.redisDownLogged = true;
        logger.warn({ err: error }, 'rate limits: Redis unavailable, counting in memory until it is back');
      });
      this.redis.on('ready', () => (this.redisDownLogged = false));
    }
    this.global = this.limiter('global', options.global);
    this.operation = this.limiter('operation', options.perOperation);
  }

  private limiter(name: string, points: number): RateLimiterAbstract | undefined {
    if (points <= 0) return undefined;
    const common = { keyPrefix: `interchange:rate:${name}`, points, duration: this.options.windowSeconds };
    const memory = new RateLimiterMemory(common);
    if (!this.redis) return memory;
    return new RateLimiterRedis({ ...common, storeClient: this.redis, rejectIfRedisNotReady: true, insuranceLimiter: memory });
  }

  private clientPoints(principal: Principal | undefined): number {
    let points: number | undefined;
    for (const role of principal?.roles ?? []) {
      const forRole = this.options.perRole[role];
      if (forRole === undefined) continue;
      // 0 is "no limit", the highest there is.
      points = forRole === 0 || points === 0 ? 0 : Math.max(points ?? 0, forRole);
    }
    return points ?? this.options.perClient;
  }

  private clientLimiter(points: number): RateLimiterAbstract | undefined {
    if (points <= 0) return undefined;
    let limiter = this.clients.get(points);
    if (!limiter) this.clients.set(points, (limiter = this.limiter(`client:${points}`, points)!));
    return limiter;
  }

  /**
   * Counts the operation against the caller's own limit (its principal, or its address without
   * credentials). Every operation counts here, refused ones too.
   */
  async checkClient(subject: RateLimitSubject): Promise<RateLimited | undefined> {
    const client = this.clientLimiter(this.clientPoints(subject.principal));
    if (!client) return undefined;
    return this.consume(client, subject.principal ? `${subject.principal.kind}:${subject.principal.id}` : `ip:${subject.clientIp}`, 'client');
  }

  /**
   * Counts the operation against the limits callers share (global, per operation name). Only
   * admitted operations count, so a caller refused by the router cannot use them up for others.
   */
  async checkShared(subject: RateLimitSubject): Promise<RateLimited | undefined> {
    const checks: Promise<RateLimited | undefined>[] = [];
    if (this.global) checks.push(this.consume(this.global, 'all', 'global'));
    if (this.operation) checks.push(this.consume(this.operation, subject.operationName ?? '(anonymous)', 'operation'));
    if (checks.length === 0) return undefined;
    const results = await Promise.all(checks);
    return results.find((result) => result !== undefined);
  }

  private async consume(limiter: RateLimiterAbstract, key: string, limit: RateLimited['limit']): Promise<RateLimited | undefined> {
    try {
      await limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { limit, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      // Neither Redis nor the insurance limiter could count: serve rather than refuse everyone.
      this.logger.warn({ err: rejection, limit }, 'rate limit not checked');
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}

/** RATE_LIMITED: HTTP 429 with a Retry-After header, and the same seconds in `extensions.retryAfter`. */
export function rateLimitedError(limited: RateLimited): GraphQLError {
  const retry = `retry in ${limited.retryAfterSeconds} s`;
  let message: string;
  switch (limited.limit) {
    case 'client':
      message = `Too many requests from this client; ${retry}`;
      break;
    case 'operation':
      message = `Too many requests for this operation; ${retry}`;
      break;
    case 'global':
      message = `The router is over its request limit; ${retry}`;
      break;
    case 'authentication':
      message = `Too many failed logins from this address; ${retry}`;
      break;
  }
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.RateLimited,
      limit: limited.limit,
      retryAfter: limited.retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(limited.retryAfterSeconds)]]) },
    },
  });
}

/** The router's rate limits, from its configuration: shared by replicas in Redis with REDIS_URL. */
export function rateLimitsFromConfig(config: RouterConfig, logger: Logger): RateLimits {
  return new RateLimits(
    {
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      perClient: config.RATE_LIMIT_PER_CLIENT,
      perRole: {
        admin: config.RATE_LIMIT_ROLE_ADMIN,
        api_user: config.RATE_LIMIT_ROLE_API_USER,
        sap_integration: config.RATE_LIMIT_ROLE_SAP_INTEGRATION,
        readonly: config.RATE_LIMIT_ROLE_READONLY,
      },
      global: config.RATE_LIMIT_GLOBAL,
      perOperation: config.RATE_LIMIT_PER_OPERATION,
      redisUrl: config.REDIS_URL,
    },
    logger,
  );
}
