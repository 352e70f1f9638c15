import { LRUCache } from 'lru-cache';
import type { CacheLookup, CacheStore, CachedResponse } from './cache-store.js';

interface Held {
  entry: CachedResponse;
  tags: readonly string[];
}

/** Purge marks kept before they are folded into one "everything before this" mark. */
const MAX_PURGE_MARKS = 10_000;

/** The response cache in this process only: a bounded LRU, for a router without REDIS_URL. */
export class MemoryCacheStore implements CacheStore {
  private readonly entries: LRUCache<string, Held>;
  private readonly byTag = new Map<string, Set<string>>();
  /** The sequence of each tag's last purge, for refusing stores that started before it. */
  private readonly purgedAt = new Map<string, number>();
  private purgedAllAt = 0;
  private sequence = 0;

  constructor(maxEntries: number) {
    this.entries = new LRUCache<string, Held>({
      max: maxEntries,
      ttlAutopurge: false,
      dispose: (held, key) => {
        for (const tag of held.tags) {
          const keys = this.byTag.get(tag);
          keys?.delete(key);
          if (keys?.size === 0) this.byTag.delete(tag);
        }
      },
    });
  }

  async lookup(keys: readonly string[]): Promise<CacheLookup> {
    return { entries: keys.map((key) => this.entries.get(key)?.entry ?? null), sequence: this.sequence };
  }

  async store(key: string, entry: CachedResponse, tags: readonly string[], ttlSeconds: number, sequence: number): Promise<boolean> {
    if (this.purgedAllAt > sequence || tags.some((tag) => (this.purgedAt.get(tag) ?? 0) > sequence)) return false;
    this.entries.set(key, { entry, tags }, { ttl: ttlSeconds * 1000 });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    return true;
  }

  async purge(tags: readonly string[] | 'all'): Promise<number> {
    this.sequence += 1;
    if (tags === 'all') {
      const count = this.entries.size;
      this.purgedAllAt = this.sequence;
      this.purgedAt.clear();
      this.entries.clear();
      return count;
    }
    if (this.purgedAt.size + tags.length > MAX_PURGE_MARKS) {
      // Conservative: refuse every store that began before now.
      this.purgedAt.clear();
      this.purgedAllAt = this.sequence;
    }
    let removed = 0;
    for (const tag of tags) {
      this.purgedAt.set(tag, this.sequence);
      for (const key of [...(this.byTag.get(tag) ?? [])]) {
        if (this.entries.delete(key)) removed += 1;
      }
      this.byTag.delete(tag);
    }
    return removed;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
