import { SignJWT } from 'jose';

/** The JWT_SECRET of every router the tests start. */
export const TEST_JWT_SECRET = 'interchange-test-jwt-secret-0123456789abcdef';

export interface TestTokenOptions {
  /** Default `test-<role>`. */
  sub?: string;
  roles?: string[];
  /** The space-separated `scope` claim. */
  scope?: string;
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** Seconds from now the token becomes valid (`nbf`). */
  notBefore?: number;
  audience?: string;
  issuer?: string;
  /** Default TEST_JWT_SECRET. */
  secret?: string;
}

/** An HS256 bearer token as a test's identity provider would sign it. */
export async function testToken(options: TestTokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { roles: options.roles ?? [] };
  if (options.scope !== undefined) claims.scope = options.scope;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub ?? `test-${options.roles?.[0] ?? 'user'}`)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 3600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

const roleTokens = new Map<string, Promise<string>>();

/** A bearer token for one of the shipped roles (signed once per test process). */
export function roleToken(role: string): Promise<string> {
  let token = roleTokens.get(role);
  if (!token) roleTokens.set(role, (token = testToken({ roles: [role] })));
  return token;
}

/** Headers of a request with `role`'s bearer token. */
export async function asRole(role: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await roleToken(role)}` };
}

/** Pass as a request's headers to send no credentials at all (the test helpers send an admin token otherwise). */
export const ANONYMOUS: Readonly<Record<string, string>> = Object.freeze({ authorization: '' });

/**
 * The headers a test request goes out with: an admin token unless the test gave an
 * `authorization` or `x-api-key` header of its own; an empty one is left out (ANONYMOUS).
 */
export async function withCredentials(headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (!names.includes('authorization') && !names.includes('x-api-key')) return { ...headers, ...(await asRole('admin')) };
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== ''));
}
