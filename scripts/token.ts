import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { ROLES } from '../infra/auth/principal.js';
import { fromRoot } from '../infra/paths.js';
import { devJwtSecret } from '../router/auth/dev-jwt-secret.js';

/**
 * `npm run token -- --role admin [--sub alice] [--ttl 8h] [--scope "orders:read"]`: prints a
 * development bearer token, signed with JWT_SECRET when it is set, otherwise with the local
 * secret in DATA_DIR that `npm start` also uses (created on first use).
 */
const usage = `usage: npm run token -- --role <${ROLES.join('|')}> [--role ...] [--sub <subject>] [--ttl <1h|30m|3600s|seconds>] [--scope "<scope> ..."]`;

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: [] },
    sub: { type: 'string' },
    ttl: { type: 'string', default: '8h' },
    scope: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help || (values.role.length === 0 && !values.scope)) {
  console.error(usage);
  process.exit(values.help ? 0 : 1);
}
const unknown = values.role.filter((role) => !ROLES.includes(role));
if (unknown.length > 0) {
  console.error(`unknown role ${unknown.join(', ')}; the roles are ${ROLES.join(', ')}`);
  process.exit(1);
}
const ttl = /^(\d+)([smhd]?)$/.exec(values.ttl);
if (!ttl) {
  console.error(`--ttl ${values.ttl}: expected a number of seconds or 30m, 8h, 2d`);
  process.exit(1);
}
const seconds = Number(ttl[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[ttl[2]!]!;

const secret = process.env.JWT_SECRET || devJwtSecret(fromRoot(process.env.DATA_DIR || '.data'));
const now = Math.floor(Date.now() / 1000);
const jwt = new SignJWT({ roles: values.role, ...(values.scope ? { scope: values.scope } : {}) })
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setSubject(values.sub ?? `dev-${values.role[0] ?? 'user'}`)
  .setIssuedAt(now)
  .setExpirationTime(now + seconds);
if (process.env.JWT_ISSUER) jwt.setIssuer(process.env.JWT_ISSUER);
if (process.env.JWT_AUDIENCE) jwt.setAudience(process.env.JWT_AUDIENCE);
console.log(await jwt.sign(new TextEncoder().encode(secret)));
