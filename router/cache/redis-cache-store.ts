import { Redis } from 'ioredis';
import type { CacheLookup, CacheStore, CachedResponse } from './cache-store.js';

/** How long a purge mark outlives its purge: longer than any request can take. */
const PURGE_MARK_SECONDS = 3_600;

/**
 * Stores unless a tag (or everything) was purged after the caller's sequence.
 * KEYS: entry, all-mark, n tag marks, n tag sets. ARGV: entry, ttl, sequence, n.
 */
const STORE = `
local n = tonumber(ARGV[4])
local sequence = tonumber(ARGV[3])
if tonumber(redis.call('GET', KEYS[2]) or '0') > sequence then return 0 end
for i = 1, n do
  if tonumber(redis.call('GET', KEYS[2 + i]) or '0') > sequence then return 0 end
end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
for i = 1, n do
  local set = KEYS[2 + n + i]
  redis.call('SADD', set, KEYS[1])
  if redis.call('TTL', set) < ttl then redis.call('EXPIRE', set, ttl) end
end
return 1`;

/**
 * Marks the tags purged at a new sequence and deletes their entries.
 * KEYS: sequence, n tag marks, n tag sets. ARGV: n, mark ttl.
 */
const PURGE = `
local sequence = redis.call('INCR', KEYS[1])
local n = tonumber(ARGV[1])
local removed = 0
for i = 1, n do
  redis.call('SET', KEYS[1 + i], sequence, 'EX', ARGV[2])
  local set = KEYS[1 + n + i]
  local members = redis.call('SMEMBERS', set)
  for j = 1, #members, 500 do
    removed = removed + redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', set)
end
return removed`;

type Scripted = Redis & {
  cacheStore(...args: (string | number | Buffer)[]): Promise<number>;
  cachePurge(...args: (string | number)[]): Promise<number>;
};

/** `storedAt maxAge scope` on the first line, the body after it: read without copying the body. */
function encode(entry: CachedResponse): Buffer {
  return Buffer.concat([Buffer.from(`${entry.storedAt} ${entry.maxAge} ${entry.scope}\n`), entry.body]);
}

function decode(raw: Buffer | null): CachedResponse | null {
  if (raw === null) return null;
  const newline = raw.indexOf(10);
  const [storedAt, maxAge, scope] = raw.subarray(0, newline).toString().split(' ');
  return { storedAt: Number(storedAt), maxAge: Number(maxAge), scope: scope === 'PUBLIC' ? 'PUBLIC' : 'PRIVATE', body: raw.subarray(newline + 1) };
}

/**
 * The response cache in Redis, shared by every router replica. Commands are not queued while
 * Redis is unreachable: they fail at once and the cache is bypassed, and ioredis reconnects by
 * itself. Entries expire on their own; tag sets outlive their entries at most by a TTL.
 */
export class RedisCacheStore implements CacheStore {
  private readonly redis: Scripted;
  private readonly prefix: string;

  constructor(url: string, options: { timeoutMs: number; prefix?: string; onError?: (error: Error) => void }) {
    this.prefix = options.prefix ?? 'interchange:cache:';
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: Math.max(options.timeoutMs, 500),
      commandTimeout: options.timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    }) as Scripted;
    this.redis.on('error', (error: Error) => options.onError?.(error));
    this.redis.defineCommand('cacheStore', { lua: STORE });
    this.redis.defineCommand('cachePurge', { lua: PURGE });
  }

  /**
   * Connects; resolves false (and keeps trying in the background) when Redis does not answer,
   * since a router without its cache still serves.
   */
  async connect(): Promise<boolean> {
    return this.redis.connect().then(
      () => true,
      () => false,
    );
  }

  private entryKey = (key: string) => `${this.prefix}e:${key}`;
  private markKey = (tag: string) => `${this.prefix}p:${tag}`;
  private setKey = (tag: string) => `${this.prefix}t:${tag}`;
  private get sequenceKey() {
    return `${this.prefix}sequence`;
  }
  private get allMarkKey() {
    return `${this.prefix}purged-all`;
  }

  async lookup(keys: readonly string[]): Promise<CacheLookup> {
    const values = await this.redis.mgetBuffer(...keys.map(this.entryKey), this.sequenceKey);
    const sequence = Number(values.pop()?.toString() ?? 0);
    return { entries: values.map(decode), sequence };
  }

  async store(key: string, entry: CachedResponse, tags: readonly string[], ttlSeconds: number, sequence: number): Promise<boolean> {
    const stored = await this.redis.cacheStore(
      2 + 2 * tags.length,
      this.entryKey(key),
      this.allMarkKey,
      ...tags.map(this.markKey),
      ...tags.map(this.setKey),
      encode(entry),
      Math.max(1, Math.ceil(ttlSeconds)),
      sequence,
      tags.length,
    );
    return stored === 1;
  }

  async purge(tags: readonly string[] | 'all'): Promise<number> {
    if (tags !== 'all') {
      return this.redis.cachePurge(1 + 2 * tags.length, this.sequenceKey, ...tags.map(this.markKey), ...tags.map(this.setKey), tags.length, PURGE_MARK_SECONDS);
    }
    const sequence = await this.redis.incr(this.sequenceKey);
    await this.redis.set(this.allMarkKey, sequence, 'EX', PURGE_MARK_SECONDS);
    let removed = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}[et]:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      removed += keys.filter((key) => key.startsWith(`${this.prefix}e:`)).length;
      await this.redis.unlink(...keys);
    } while (cursor !== '0');
    return removed;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
