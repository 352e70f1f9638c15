/** A cached response: the bytes sent to the client and what is needed to say how old they are. */
export interface CachedResponse {
  /** The response body exactly as sent (`{"data":...}` and a newline), UTF-8. */
  body: Buffer;
  /** When it was stored (epoch ms). */
  storedAt: number;
  /** Seconds it is fresh for, from its Cache-Control policy. */
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE';
}

export interface CacheLookup {
  /** The entry under each key asked for, in order; null where there is none. */
  entries: (CachedResponse | null)[];
  /** The purge sequence at the time of the lookup; hand it to `store` for what this request computes. */
  sequence: number;
}

/**
 * Where the response cache keeps entries: Redis (shared by every router replica) or an
 * in-process LRU. Entries carry tags (`Order:42`, `list:Order`); a purge by tag removes every
 * entry carrying it. A store whose tags were purged after its lookup's sequence is refused, so a
 * response computed before a change cannot be cached after the purge for that change.
 * Methods reject when the storage is unavailable; the cache then serves without it.
 */
export interface CacheStore {
  /** The entries under `keys` and the current purge sequence, in one round trip. */
  lookup(keys: readonly string[]): Promise<CacheLookup>;
  /** Stores `entry` for `ttlSeconds` unless one of `tags` was purged after `sequence`; says whether it did. */
  store(key: string, entry: CachedResponse, tags: readonly string[], ttlSeconds: number, sequence: number): Promise<boolean>;
  /** Removes every entry carrying one of `tags`, or every entry; returns how many were removed. */
  purge(tags: readonly string[] | 'all'): Promise<number>;
  close(): Promise<void>;
}

/** The tag that `list:Order` style purges use: every cached list of that type. */
export const listTag = (typename: string) => `list:${typename}`;
export const entityTag = (typename: string, key: string) => `${typename}:${key}`;
/** Carried by every entry holding any entity of the type, for purging a whole type. */
export const typeTag = (typename: string) => `type:${typename}`;
