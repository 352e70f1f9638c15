import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { LRUCache } from 'lru-cache';
import { MIN_SECRET_LENGTH } from '../config.js';
import type { Principal } from './principal.js';

/**
 * The signed internal header: the router tells a subgraph who the verified caller is with a
 * short-lived HS256 JWT signed with INTERNAL_TOKEN_SECRET, which only the router and the
 * subgraphs know. A subgraph refuses every request without a valid one, so calling a subgraph
 * directly does not get around the router's checks. A token names the one subgraph it is for
 * (its audience), so a token captured at one subgraph is refused by every other.
 */

/** The HTTP header (and graphql-ws `connection_init` payload key) that carries the token. */
export const INTERNAL_TOKEN_HEADER = 'x-interchange-identity';

export const INTERNAL_TOKEN_ISSUER = 'interchange-router';

/** Seconds a token is valid, counted from its `iat`: a subgraph refuses an older one whatever its `exp` says. */
export const INTERNAL_TOKEN_LIFETIME_SECONDS = 30;
/** Seconds the signer reuses a token it signed; half the lifetime, so a reused token has at least 15 s left. */
const REUSE_SECONDS = 15;
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
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`the internal token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return new TextEncoder().encode(secret);
}

const KINDS: readonly Principal['kind'][] = ['user', 'api_key', 'service'];

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Signs internal tokens, each for one subgraph: its audience (`aud`) is the subgraph's name. A
 * token is reused for 15 s per subgraph and principal (and one for anonymous callers), so the
 * router does not sign per request and identical reads from one caller still share a subgraph
 * request.
 */
export class InternalTokenSigner {
  private readonly key: Uint8Array;
  private readonly tokens = new LRUCache<string, Promise<string>>({ max: 10_000, ttl: REUSE_SECONDS * 1000 });

  /**
   * `audience`: the subgraph this signer's tokens are for (the router has one signer per
   * subgraph); a signer without one signs for the subgraph each call names.
   */
  constructor(
    secret: string,
    private readonly audience?: string,
  ) {
    this.key = keyFrom(secret);
  }

  /**
   * A token for `principal`, or for an anonymous caller when it is undefined, that only the
   * subgraph named `audience` (default: the signer's) accepts. A list of names makes a token each
   * of them accepts: for tests and benches that call several subgraphs, never for the router.
   * Rejects when neither the call nor the signer names a subgraph.
   */
  token(principal: Principal | undefined, audience: string | readonly string[] | undefined = this.audience): Promise<string> {
    if (audience === undefined || audience.length === 0) return Promise.reject(new Error('an internal token must name the subgraph it is for'));
    const cacheKey = JSON.stringify([audience, principal ? [principal.kind, principal.id, principal.roles, principal.scopes] : null]);
    let token = this.tokens.get(cacheKey);
    if (!token) {
      token = this.sign(principal, audience);
      this.tokens.set(cacheKey, token);
      token.catch(() => this.tokens.delete(cacheKey));
    }
    return token;
  }

  private sign(principal: Principal | undefined, audience: string | readonly string[]): Promise<string> {
    const claims = principal ? { kind: principal.kind, roles: [...principal.roles], scopes: [...principal.scopes] } : { kind: 'anonymous' };
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(INTERNAL_TOKEN_ISSUER)
      .setAudience(typeof audience === 'string' ? audience : [...audience])
      .setIssuedAt()
      .setExpirationTime(`${INTERNAL_TOKEN_LIFETIME_SECONDS}s`);
    if (principal) jwt.setSubject(principal.id);
    return jwt.sign(this.key);
  }
}

/**
 * Checks internal tokens in a subgraph: signature (HS256 only), issuer, audience (this
 * subgraph's name), expiry and age (at most 30 s since `iat`). The router reuses one token per
 * principal for 15 s, so a subgraph sees the same few tokens on request after request: a token
 * that verified is remembered, with its identity, until it expires or grows too old (at most
 * 1,000 of them), and is not verified again. Refused tokens are not remembered.
 */
export class InternalTokenVerifier {
  private readonly key: Uint8Array;
  private readonly verified = new LRUCache<string, InternalIdentity>({ max: 1_000, ttl: INTERNAL_TOKEN_LIFETIME_SECONDS * 1000 });

  /** `audience`: the name of the subgraph that verifies, the only audience it accepts. */
  constructor(
    secret: string,
    private readonly audience: string,
  ) {
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
        audience: this.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        // jose adds the clock tolerance to the age it allows: with it, 30 s at most.
        maxTokenAge: INTERNAL_TOKEN_LIFETIME_SECONDS - CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? 'expired' : error instanceof joseErrors.JOSEError ? error.code : 'malformed';
      throw new InvalidInternalToken(`invalid ${INTERNAL_TOKEN_HEADER} token (${reason})`);
    }
    const identity = identityOf(payload);
    // Until `exp` or the end of its lifetime from `iat`, whichever comes first (without the clock tolerance), and never longer than a lifetime.
    const end = Math.min(payload.exp as number, (payload.iat as number) + INTERNAL_TOKEN_LIFETIME_SECONDS) * 1000;
    const ttl = Math.min(end - Date.now(), INTERNAL_TOKEN_LIFETIME_SECONDS * 1000);
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
