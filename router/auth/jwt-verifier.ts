import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { scopesOf, type Principal } from '../../infra/auth/principal.js';

export interface JwtVerifierOptions {
  /** HS256 secret. */
  secret?: string;
  /** RS256/ES256 keys, fetched from this JWKS endpoint and cached; a token with an unknown `kid` refetches them. */
  jwksUrl?: string;
  /** After a fetch, how long before an unknown `kid` may refetch the JWKS (a flood of made-up key ids costs one fetch per period). */
  jwksCooldownSeconds?: number;
  /** When set, `iss` must equal it. */
  issuer?: string;
  /** When set, `aud` must contain it. */
  audience?: string;
  /** Seconds of clock difference tolerated for `exp` and `nbf`. */
  clockSkewSeconds: number;
}

/** A credential that does not verify; `reason` is safe to show the caller (it never contains the token). */
export class CredentialsRefused extends Error {
  override name = 'CredentialsRefused';
  constructor(readonly reason: string) {
    super(reason);
  }
}

const ASYMMETRIC = ['RS256', 'ES256'];

/** The reason a client is told, from jose's error; never the token or the claims' values. */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not yet valid';
    if (error.claim === 'aud') return 'wrong audience';
    if (error.claim === 'iss') return 'wrong issuer';
    return `invalid ${error.claim} claim`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signing algorithm not accepted';
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return 'signing keys unavailable';
  return 'malformed token';
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Verifies callers' bearer JWTs with jose: HS256 against a secret, RS256/ES256 against a JWKS,
 * or both (chosen by the token's `alg`). `exp` is required; `nbf`, `iss` and `aud` are checked.
 * The principal is `user:<sub>` with the `roles` claim's roles and their scopes plus the
 * space-separated `scope` claim.
 */
export class JwtVerifier {
  private readonly secretKey: ReturnType<typeof crypto.subtle.importKey> | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;

  constructor(private readonly options: JwtVerifierOptions) {
    // Imported once: jose would otherwise import a raw secret for every token.
    if (options.secret) {
      this.secretKey = crypto.subtle.importKey('raw', new TextEncoder().encode(options.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    }
    this.jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: (options.jwksCooldownSeconds ?? 30) * 1000, cacheMaxAge: 600_000 }) : undefined;
  }

  /** The token's principal; throws CredentialsRefused with the reason when it does not verify. */
  async verify(token: string): Promise<Principal> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new CredentialsRefused('malformed token');
    }
    const verifyOptions = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: this.options.clockSkewSeconds,
      requiredClaims: ['exp', 'sub'],
    };
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && this.secretKey) {
        ({ payload } = await jwtVerify(token, await this.secretKey, { ...verifyOptions, algorithms: ['HS256'] }));
      } else if (alg && ASYMMETRIC.includes(alg) && this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, { ...verifyOptions, algorithms: ASYMMETRIC }));
      } else {
        throw new CredentialsRefused('signing algorithm not accepted');
      }
    } catch (error) {
      if (error instanceof CredentialsRefused) throw error;
      throw new CredentialsRefused(reasonOf(error));
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new CredentialsRefused('invalid sub claim');
    const roles = stringList(payload.roles);
    const granted = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return Object.freeze({ kind: 'user', id: payload.sub, roles: Object.freeze(roles), scopes: Object.freeze(scopesOf(roles, granted)) });
  }
}
