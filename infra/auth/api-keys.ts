import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';
import { scopesOf, type Principal } from './principal.js';

/**
 * API keys for machine clients, sent as `X-API-Key: ik_<id>_<secret>`. The secret is 32 random
 * bytes (base64url), shown once when the key is created or rotated; only a salted scrypt hash
 * of it is stored, in access.api_keys (owned and migrated by the access subgraph).
 */

/** The request header that carries an API key. */
export const API_KEY_HEADER = 'x-api-key';

const KEY_PATTERN = /^ik_(key_[0-9a-f]{20})_([A-Za-z0-9_-]{43})$/;
const ID_PATTERN = /^key_[0-9a-f]{20}$/;

/** scrypt cost: N = 2^14, r = 8, p = 1 (about 16 MiB and tens of milliseconds per check). */
const SCRYPT = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const HASH_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(secret: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(secret, salt, keyLength, options, (error, derived) => (error ? reject(error) : resolve(derived))));
}

/** True for a string shaped like an API key id (`key_` and 20 hex digits). */
export function isApiKeyId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function newApiKeyId(): string {
  return `key_${randomBytes(10).toString('hex')}`;
}

/** The id and secret of a presented key, or undefined when it is not shaped like one of ours. */
export function parseApiKey(presented: string): { id: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(presented.trim());
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

/** `scrypt$N$r$p$<salt>$<hash>`, salt and hash base64url: the parameters travel with the hash, so they can be raised later. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(secret, salt, HASH_BYTES, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Compares in constant time; false for a stored value that is not a hash of ours. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const N = Number(n);
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { N, r: Number(r), p: Number(p), maxmem: 128 * N * Number(r) * 2 });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export interface GeneratedApiKey {
  id: string;
  /** The whole key to send as X-API-Key; shown once, never stored. */
  key: string;
  /** What is stored instead of the secret. */
  secretHash: string;
}

/** A new key (with a new id unless one is given) and its hash. */
export async function generateApiKey(id: string = newApiKeyId()): Promise<GeneratedApiKey> {
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `ik_${id}_${secret}`, secretHash: await hashSecret(secret) };
}

interface KeyRow {
  id: string;
  roles: string[];
  scopes: string[];
  secret_hash: string;
}

export interface ApiKeyVerifierOptions {
  /** Any Kysely instance on the hub's database: the verifier names access.api_keys itself. */
  db: Kysely<any>;
  logger: Logger;
  /** How often usage counts and last-use times are written. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Successful checks remembered, so that a hot key does not pay scrypt per request. Default 10,000. */
  memoSize?: number;
}

/**
 * Verifies presented API keys for the router. Every call reads the key's row by its id, so a
 * revoked or expired key stops working at once; the scrypt check of a secret that matched
 * before is remembered (by the SHA-256 of the presented key, with the hash it matched), so a
 * hot key costs one indexed read per request. Usage is counted in memory and written in one
 * statement about every second, and on close().
 */
export class ApiKeyVerifier {
  private readonly db: Kysely<any>;
  private readonly logger: Logger;
  /** sha256(presented key) -> the stored hash it was verified against. */
  private readonly verified: LRUCache<string, string>;
  private pending = new Map<string, { count: number; lastUsedAt: Date }>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(options: ApiKeyVerifierOptions) {
    this.db = options.db.withoutPlugins();
    this.logger = options.logger;
    this.verified = new LRUCache({ max: options.memoSize ?? 10_000 });
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }


  /**
   * The key's principal, or undefined for a key that is malformed, unknown, revoked, expired or
   * has the wrong secret. Rejects only when the database fails (the caller answers that as a
   * dependency failure, not as bad credentials).
   */
  async verify(presented: string): Promise<Principal | undefined> {
    const parsed = parseApiKey(presented);
    if (!parsed) return undefined;
    const { rows } = await sql<KeyRow>`
      select id, roles, scopes, secret_hash from access.api_keys
      where id = ${parsed.id} and revoked_at is null and (expires_at is null or expires_at > now())`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;

    const memoKey = createHash('sha256').update(presented.trim()).digest('base64url');
    if (this.verified.get(memoKey) !== row.secret_hash) {
      if (!(await verifySecret(parsed.secret, row.secret_hash))) return undefined;
      this.verified.set(memoKey, row.secret_hash);
    }

    const usage = this.pending.get(row.id);
    if (usage) {
      usage.count += 1;
      usage.lastUsedAt = new Date();
    } else {
      this.pending.set(row.id, { count: 1, lastUsedAt: new Date() });
    }
    return Object.freeze({ kind: 'api_key', id: row.id, roles: row.roles, scopes: scopesOf(row.roles, row.scopes) });
  }

  /** Writes the usage counted so far (one statement for all keys); failures are logged, and those counts are lost. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      const ids = [...batch.keys()];
      const counts = ids.map((id) => batch.get(id)!.count);
      const times = ids.map((id) => batch.get(id)!.lastUsedAt.toISOString());
      try {
        await sql`
          update access.api_keys as k
          set usage_count = k.usage_count + u.n, last_used_at = greatest(k.last_used_at, u.at)
          from unnest(${ids}::text[], ${counts}::bigint[], ${times}::timestamptz[]) as u(id, n, at)
          where k.id = u.id`.execute(this.db);
      } catch (error) {
        this.logger.warn({ err: error, keys: ids.length }, 'recording API key usage failed');
      }
    });
    return this.flushing;
  }

  /** Writes pending usage and stops the timer; the pool is the caller's. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
