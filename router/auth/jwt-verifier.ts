import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type ProtectedHeaderParameters } from 'jose';
import { scopesOf, type Principal } from '../../infra/auth/principal.js';
import { MIN_SECRET_LENGTH } from '../../infra/config.js';

export interface JwtVerifierOptions {
  /**
   * HS256 secret, MIN_SECRET_LENGTH characters or more. Beside `jwksUrl` only when the
   * configuration asks for both (JWT_HS256_WITH_JWKS; see jwtVerifierFromConfig).
   */
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

/** The token's protected header: the JSON object its first part encodes. */
function protectedHeader(token: string): ProtectedHeaderParameters {
  const end = token.indexOf('.');
  let header: unknown;
  try {
    header = end > 0 ? JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8')) : undefined;
  } catch {
    header = undefined;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CredentialsRefused('malformed token');
  return header as ProtectedHeaderParameters;
}

/**
 * An HS256 token's payload once its signature and claims check out, with node:crypto. jose
 * verifies HMACs through WebCrypto, which makes every check a thread-pool job (about 55 µs of CPU
 * here, half the cost of an answer from the response cache); `createHmac` is synchronous. The
 * claims rules are jose's: `exp` required and in the future, `nbf` (when present) in the past,
 * both within the clock skew; `iss` equal and `aud` (a string or a list) containing the
 * configured values when set.
 */
function verifyHs256(token: string, secret: Buffer, options: JwtVerifierOptions): JWTPayload {
  const [header, body, signature, extra] = token.split('.');
  if (header === undefined || body === undefined || signature === undefined || extra !== undefined) throw new CredentialsRefused('malformed token');
  const expected = createHmac('sha256', secret).update(`${header}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CredentialsRefused('invalid signature');

  let payload: JWTPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as JWTPayload;
  } catch {
    throw new CredentialsRefused('malformed token');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new CredentialsRefused('malformed token');
  const now = Math.floor(Date.now() / 1000);
  const skew = options.clockSkewSeconds;
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && (typeof payload[claim] !== 'number' || !Number.isFinite(payload[claim]))) throw new CredentialsRefused(`invalid ${claim} claim`);
  }
  if (payload.exp === undefined) throw new CredentialsRefused('invalid exp claim');
  if (payload.exp <= now - skew) throw new CredentialsRefused('token expired');
  if (payload.nbf !== undefined && payload.nbf > now + skew) throw new CredentialsRefused('token not yet valid');
  if (options.issuer !== undefined && payload.iss !== options.issuer) throw new CredentialsRefused('wrong issuer');
  if (options.audience !== undefined) {
    const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
    if (!audiences.includes(options.audience)) throw new CredentialsRefused('wrong audience');
  }
  return payload;
}

/**
 * Verifies callers' bearer JWTs: HS256 against a secret (`verifyHs256`), RS256/ES256 against a
 * JWKS with jose, or both (chosen by the token's `alg`). `exp` is required; `nbf`, `iss` and `aud` are checked.
 * The principal is `user:<sub>` with the `roles` claim's roles and their scopes plus the
 * space-separated `scope` claim.
 */
export class JwtVerifier {
  private readonly secret: Buffer | undefined;
  private readonly jwks: JWTVerifyGetKey | undefined;

  constructor(private readonly options: JwtVerifierOptions) {
    // The configuration checks JWT_SECRET; this catches a short development secret file too.
    if (options.secret !== undefined && options.secret.length < MIN_SECRET_LENGTH) throw new Error(`the JWT secret must be at least ${MIN_SECRET_LENGTH} characters`);
    this.secret = options.secret ? Buffer.from(options.secret) : undefined;
    this.jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: (options.jwksCooldownSeconds ?? 30) * 1000, cacheMaxAge: 600_000 }) : undefined;
  }

  /** The token's principal; throws CredentialsRefused with the reason when it does not verify. */
  async verify(token: string): Promise<Principal> {
    const header = protectedHeader(token);
    const alg = header.alg;
    const verifyOptions = {
      issuer: this.options.issuer,
      audience: this.options.audience,
      clockTolerance: this.options.clockSkewSeconds,
      requiredClaims: ['exp', 'sub'],
    };
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && this.secret) {
        if (header.crit !== undefined || header.b64 !== undefined) throw new CredentialsRefused('malformed token');
        payload = verifyHs256(token, this.secret, this.options);
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
    // `exp` is required above; a connection authenticated with this token closes when it passes (with the same skew).
    const expiresAt = (payload.exp! + (this.options.clockSkewSeconds ?? 0)) * 1000;
    return Object.freeze({ kind: 'user', id: payload.sub, roles: Object.freeze(roles), scopes: scopesOf(roles, granted), expiresAt });
  }
}
