import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Principal } from './principal.js';

/**
 * The signed internal header: the router tells a subgraph who the verified caller is with a
 * short-lived HS256 JWT signed with INTERNAL_TOKEN_SECRET, which only the router and the
 * subgraphs know. A subgraph refuses every request without a valid one, so calling a subgraph
 * directly does not get around the router's checks.
 */

/** The HTTP header (and graphql-ws `connection_init` payload key) that carries the token. */
export const INTERNAL_TOKEN_HEADER = 'x-interchange-identity';

export const INTERNAL_TOKEN_ISSUER = 'interchange-router';
export const INTERNAL_TOKEN_AUDIENCE = 'interchange-subgraphs';

/** The shortest secret accepted: 32 characters, so that HS256 is not brute-forced. */
export const MIN_INTERNAL_SECRET_LENGTH = 32;

/** Seconds a token is valid. */
const LIFETIME_SECONDS = 60;
/** Seconds the signer reuses a token it signed; always less than the lifetime, so a reused token has at least 30 s left. */
const REUSE_SECONDS = 30;
/** Clock difference tolerated between the router and the subgraphs. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** The principal the router's own calls run as (readiness checks, shared upstream subscriptions). */
export const ROUTER_SERVICE: Principal = Object.freeze({ kind: 'service', id: 'router', roles: [], scopes: [] });

/** A service principal for one of the hub's own services calling another (orders asking customers). */
export function servicePrincipal(name: string): Principal {
  return Object.freeze({ kind: 'service', id: name, roles: [], scopes: [] });
}

/** What a subgraph learns from a valid token: who the caller is, or that the router let an anonymous caller through. */
export interface InternalIdentity {
  /** Undefined for a caller without credentials (the router decided what such a caller may ask). */
  principal: Principal | undefined;
}

export class InvalidInternalToken extends Error {
  override name = 'InvalidInternalToken';
}

function keyFrom(secret: string): Uint8Array {
  if (secret.length < MIN_INTERNAL_SECRET_LENGTH) throw new Error(`the internal token secret must be at least ${MIN_INTERNAL_SECRET_LENGTH} characters`);
  return new TextEncoder().encode(secret);
}

const KINDS: readonly Principal['kind'][] = ['user', 'api_key', 'service'];

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Signs internal tokens. A token is reused for 30 s per principal (and one for anonymous
 * callers), so the router does not sign per request and identical reads from one caller still
 * share a subgraph request.
 */
export class InternalTokenSigner {
  private readonly key: Uint8Array;
  private readonly tokens = new LRUCache<string, Promise<string>>({ max: 10_000, ttl: REUSE_SECONDS * 1000 });

  constructor(secret: string) {
    this.key = keyFrom(secret);
  }

  /** A token for `principal`, or for an anonymous caller when it is undefined. */
  token(principal: Principal | undefined): Promise<string> {
    const cacheKey = principal ? JSON.stringify([principal.kind, principal.id, principal.roles, principal.scopes]) : '';
    let token = this.tokens.get(cacheKey);
    if (!token) {
      token = this.sign(principal);
      this.tokens.set(cacheKey, token);
      token.catch(() => this.tokens.delete(cacheKey));
    }
    return token;
  }

  private sign(principal: Principal | undefined): Promise<string> {
    const claims = principal ? { kind: principal.kind, roles: [...principal.roles], scopes: [...principal.scopes] } : { kind: 'anonymous' };
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(INTERNAL_TOKEN_ISSUER)
      .setAudience(INTERNAL_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${LIFETIME_SECONDS}s`);
    if (principal) jwt.setSubject(principal.id);
    return jwt.sign(this.key);
  }
}

/**
 * Checks internal tokens in a subgraph: signature (HS256 only), issuer, audience and expiry. The
 * router reuses one token per principal for 30 s, so a subgraph sees the same few tokens on
 * request after request: a token that verified is remembered, with its identity, until it
 * expires (at most 1,000 of them), and is not verified again. Refused tokens are not remembered.
 */
export class InternalTokenVerifier {
  private readonly key: Uint8Array;
  private readonly verified = new LRUCache<string, InternalIdentity>({ max: 1_000, ttl: LIFETIME_SECONDS * 1000 });

  constructor(secret: string) {
    this.key = keyFrom(secret);
  }

  /** Throws InvalidInternalToken, with the reason, for a missing, forged, expired or malformed token. */
  async verify(token: string | undefined): Promise<InternalIdentity> {
    if (!token) throw new InvalidInternalToken(`no ${INTERNAL_TOKEN_HEADER} header`);
    const known = this.verified.get(token);
    if (known) return known;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: INTERNAL_TOKEN_ISSUER,
        audience: INTERNAL_TOKEN_AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? 'expired' : error instanceof joseErrors.JOSEError ? error.code : 'malformed';
      throw new InvalidInternalToken(`invalid ${INTERNAL_TOKEN_HEADER} token (${reason})`);
    }
    const identity = identityOf(payload);
    // Until `exp` (without the clock tolerance), and never longer than a token's lifetime.
    const ttl = Math.min((payload.exp as number) * 1000 - Date.now(), LIFETIME_SECONDS * 1000);
    if (ttl > 0) this.verified.set(token, identity, { ttl });
    return identity;
  }
}

/** The identity a verified token's claims name; throws InvalidInternalToken for claims the router does not write. */
function identityOf(payload: Record<string, unknown>): InternalIdentity {
  if (payload.kind === 'anonymous') return Object.freeze({ principal: undefined });
  const { kind, sub, roles, scopes } = payload;
  if (!KINDS.includes(kind as Principal['kind']) || typeof sub !== 'string' || !isStringArray(roles) || !isStringArray(scopes)) {
    throw new InvalidInternalToken(`invalid ${INTERNAL_TOKEN_HEADER} token (claims)`);
  }
  // Frozen all through: one identity serves every request that carries the same token.
  return Object.freeze({ principal: Object.freeze({ kind: kind as Principal['kind'], id: sub, roles: Object.freeze(roles), scopes: Object.freeze(scopes) }) });
}
