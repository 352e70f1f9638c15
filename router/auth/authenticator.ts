import type { IncomingHttpHeaders } from 'node:http';
import { Counter } from 'prom-client';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Principal } from '../../infra/auth/principal.js';
import { ConfigError } from '../../infra/config.js';
import type { RouterConfig } from '../config.js';
import type { Registry } from '../../infra/metrics/metrics-registry.js';
import { fromRoot } from '../../infra/paths.js';
import { devJwtSecret } from './dev-jwt-secret.js';
import { CredentialsRefused, JwtVerifier } from './jwt-verifier.js';

/** The subset of the access subgraph's ApiKeyVerifier the router uses. */
export interface ApiKeyCheck {
  /** The key's principal; undefined for an unknown, revoked, expired or malformed key; rejects when storage fails. */
  verify(presented: string): Promise<Principal | undefined>;
}

/** What a request's credentials come to. */
export type Authentication =
  /** No credentials (principal undefined), or credentials that verified. */
  | { outcome: 'ok'; principal: Principal | undefined }
  /** Credentials that did not verify: the operation is refused with UNAUTHENTICATED and `reason`. */
  | { outcome: 'refused'; reason: string }
  /** The key store did not answer: the operation is refused with DEPENDENCY_UNAVAILABLE. */
  | { outcome: 'unavailable' }
  /** Too many failed logins from this address: refused with RATE_LIMITED, the credentials unchecked. */
  | { outcome: 'throttled'; retryAfterSeconds: number };

/** Failed logins counted per client address, so that a flood of wrong keys costs no scrypt. */
export interface LoginThrottle {
  /** Failed logins allowed per address and window; 0: no limit. */
  failuresPerAddress: number;
  windowSeconds: number;
}

export interface Credentials {
  /** The `Authorization` header (or connection_init's `authorization`). */
  authorization?: string;
  /** The `X-API-Key` header (or connection_init's `x-api-key`). */
  apiKey?: string;
}

const ANONYMOUS: Authentication = Object.freeze({ outcome: 'ok', principal: undefined });
const BEARER = /^Bearer +(\S+) *$/i;

/** Credentials from HTTP headers; a repeated header counts as unreadable. */
export function credentialsFromHeaders(headers: IncomingHttpHeaders): Credentials {
  const apiKey = headers['x-api-key'];
  return { authorization: headers.authorization, apiKey: typeof apiKey === 'string' ? apiKey : apiKey === undefined ? undefined : '' };
}

/** Credentials from graphql-ws `connection_init`'s payload (keys in any letter case), else from the upgrade request's headers. */
export function credentialsFromConnection(connectionParams: Record<string, unknown>, headers: IncomingHttpHeaders): Credentials {
  let authorization: unknown;
  let apiKey: unknown;
  for (const [key, value] of Object.entries(connectionParams)) {
    const name = key.toLowerCase();
    if (name === 'authorization') authorization = value;
    else if (name === 'x-api-key') apiKey = value;
  }
  if (authorization === undefined && apiKey === undefined) return credentialsFromHeaders(headers);
  return {
    authorization: authorization === undefined ? undefined : typeof authorization === 'string' ? authorization : '',
    apiKey: apiKey === undefined ? undefined : typeof apiKey === 'string' ? apiKey : '',
  };
}

/**
 * Verifies a request's credentials once, before anything else: a bearer JWT or an X-API-Key
 * (not both). No credentials is an anonymous caller, who reaches only what the schema leaves
 * public; credentials that do not verify are refused whatever the operation asks.
 */
export class Authenticator {
  /** Failed logins by client address (in this process). */
  private readonly failures: RateLimiterMemory | undefined;
  /** `interchange_authentication_failures_total`'s children, by credential and outcome. */
  private readonly failed: Record<'bearer' | 'api_key', Record<'refused' | 'throttled', Counter.Internal>> | undefined;

  /**
   * `metrics`: where to count failed logins, `interchange_authentication_failures_total{credential,outcome}`
   * (credential `bearer` or `api_key`; outcome `refused`, or `throttled` when the address had too many).
   */
  constructor(
    private readonly jwt: JwtVerifier,
    private readonly apiKeys: ApiKeyCheck | undefined,
    throttle?: LoginThrottle,
    metrics?: Registry,
  ) {
    if (throttle && throttle.failuresPerAddress > 0) {
      this.failures = new RateLimiterMemory({ keyPrefix: 'login-failures', points: throttle.failuresPerAddress, duration: throttle.windowSeconds });
    }
    if (metrics) {
      const counter = new Counter({
        name: 'interchange_authentication_failures_total',
        help: 'Credentials that did not verify (refused), or were not checked because their address failed too often (throttled)',
        labelNames: ['credential', 'outcome'] as const,
        registers: [metrics],
      });
      const children = (credential: string) => ({ refused: counter.labels({ credential, outcome: 'refused' }), throttled: counter.labels({ credential, outcome: 'throttled' }) });
      this.failed = { bearer: children('bearer'), api_key: children('api_key') };
    }
  }

  /**
   * Verifies the credentials of a caller at `clientAddress`. An address with too many failed
   * logins in the window is answered `throttled` before anything is checked (no key lookup, no
   * scrypt); every refusal counts against its address.
   */
  async authenticate(credentials: Credentials, clientAddress: string): Promise<Authentication> {
    const { authorization, apiKey } = credentials;
    if (authorization === undefined && apiKey === undefined) return ANONYMOUS;
    const failed = this.failed?.[apiKey !== undefined ? 'api_key' : 'bearer'];
    if (this.failures) {
      const counted = await this.failures.get(clientAddress);
      if (counted && counted.remainingPoints <= 0) {
        failed?.throttled.inc();
        return { outcome: 'throttled', retryAfterSeconds: Math.max(1, Math.ceil(counted.msBeforeNext / 1000)) };
      }
    }
    const authentication = await this.verify(authorization, apiKey);
    if (authentication.outcome === 'refused') {
      failed?.refused.inc();
      await this.failures?.penalty(clientAddress);
    }
    return authentication;
  }

  private async verify(authorization: string | undefined, apiKey: string | undefined): Promise<Authentication> {
    if (authorization !== undefined && apiKey !== undefined) return { outcome: 'refused', reason: 'send a bearer token or an API key, not both' };
    if (apiKey !== undefined) {
      if (!this.apiKeys) return { outcome: 'refused', reason: 'API keys are not accepted by this router' };
      try {
        const principal = await this.apiKeys.verify(apiKey);
        return principal ? { outcome: 'ok', principal } : { outcome: 'refused', reason: 'unknown, revoked or expired API key' };
      } catch {
        return { outcome: 'unavailable' };
      }
    }
    const token = BEARER.exec(authorization!)?.[1];
    if (!token) return { outcome: 'refused', reason: 'the Authorization header must be "Bearer <token>"' };
    try {
      return { outcome: 'ok', principal: await this.jwt.verify(token) };
    } catch (error) {
      if (error instanceof CredentialsRefused) return { outcome: 'refused', reason: error.reason };
      throw error;
    }
  }
}

/**
 * The JWT verifier the configuration asks for: HS256 with JWT_SECRET, or RS256/ES256 with
 * JWKS_URL. With JWKS_URL, HS256 tokens are accepted as well only when JWT_HS256_WITH_JWKS=true;
 * otherwise JWT_SECRET verifies nothing, so that a shared secret cannot sign tokens for a router
 * that trusts an identity provider's keys. Outside production without either, the local
 * development secret in DATA_DIR. In production one of them is required.
 */
export function jwtVerifierFromConfig(config: RouterConfig): JwtVerifier {
  if (config.JWT_HS256_WITH_JWKS && !(config.JWT_SECRET && config.JWKS_URL)) {
    throw new ConfigError('Invalid configuration:\n  JWT_HS256_WITH_JWKS="true": accepts HS256 tokens beside those of JWKS_URL, so it needs both JWT_SECRET and JWKS_URL');
  }
  if (!config.JWT_SECRET && !config.JWKS_URL && config.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration:\n  JWT_SECRET=(unset), JWKS_URL=(unset): one of them is required when NODE_ENV=production');
  }
  return new JwtVerifier({
    secret: hs256Secret(config),
    jwksUrl: config.JWKS_URL,
    jwksCooldownSeconds: config.JWKS_COOLDOWN_SECONDS,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    clockSkewSeconds: config.JWT_CLOCK_SKEW_SECONDS,
  });
}

/**
 * The secret the router verifies HS256 bearer tokens with: JWT_SECRET, unless JWKS_URL is set
 * without JWT_HS256_WITH_JWKS; outside production without either, the development secret in
 * DATA_DIR. Undefined when the router accepts no HS256 token.
 */
export function hs256Secret(config: Pick<RouterConfig, 'JWT_SECRET' | 'JWKS_URL' | 'JWT_HS256_WITH_JWKS' | 'NODE_ENV' | 'DATA_DIR'>): string | undefined {
  if (!config.JWT_SECRET && !config.JWKS_URL) return config.NODE_ENV === 'production' ? undefined : devJwtSecret(fromRoot(config.DATA_DIR));
  return config.JWKS_URL && !config.JWT_HS256_WITH_JWKS ? undefined : config.JWT_SECRET;
}
