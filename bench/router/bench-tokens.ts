import { createHmac, randomUUID } from 'node:crypto';

/** The secret the bench signs its tokens with; the router targets get it as JWT_SECRET. */
export const BENCH_JWT_SECRET = 'interchange-bench-secret-not-for-production-0123456789';
/** One principal for every request: PRIVATE cache entries are keyed by it, so they can be hit. */
export const BENCH_SUBJECT = 'bench-user';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * `count` HS256 JWTs for the same subject, each with its own `jti`, valid for a day, role
 * admin: a distinct Authorization header per request, so that nothing between the load
 * generator and the subgraphs can merge two requests into one. Signed here with node:crypto
 * (the standard HS256 construction) because a few hundred thousand are made before a run.
 */
export function benchTokens(count: number, secret = BENCH_JWT_SECRET): string[] {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const now = Math.floor(Date.now() / 1000);
  const prefix = randomUUID();
  const tokens: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const payload = base64url(JSON.stringify({ sub: BENCH_SUBJECT, jti: `${prefix}-${i}`, roles: ['admin'], iat: now, exp: now + 86_400 }));
    const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
    tokens[i] = `Bearer ${header}.${payload}.${signature}`;
  }
  return tokens;
}
