import { SpanKind } from '@opentelemetry/api';
import { inChildSpan, type Tracing } from '../../infra/tracing/tracing.js';
import type { CacheLookup, CacheStore, CachedResponse } from './cache-store.js';

const FOUND = 'interchange.cache.entries_found';
const STORED = 'interchange.cache.stored';
const PURGED = 'interchange.cache.purged';
const STORE_KIND = 'interchange.cache.store';

/**
 * A CacheStore whose calls within a traced request are spans (`response_cache.lookup`,
 * `response_cache.store`, `response_cache.purge`) under the request's operation span, saying what
 * storage answered; calls of no request (event purges) are not traced. A failing call (Redis
 * down) is a failed span. Whether the answer was fresh enough to serve is the operation span's
 * `interchange.cache`.
 */
export class TracedCacheStore implements CacheStore {
  private readonly kind: { kind: SpanKind; attributes: Record<string, string> };

  constructor(
    private readonly inner: CacheStore,
    private readonly tracing: Tracing,
    storage: 'redis' | 'memory',
  ) {
    this.kind = { kind: storage === 'redis' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: { [STORE_KIND]: storage } };
  }

  lookup(keys: readonly string[]): Promise<CacheLookup> {
    return inChildSpan(this.tracing, 'response_cache.lookup', this.kind, async (span) => {
      const found = await this.inner.lookup(keys);
      span?.setAttribute(FOUND, found.entries.filter((entry) => entry !== null).length);
      return found;
    });
  }

  store(key: string, entry: CachedResponse, tags: readonly string[], ttlSeconds: number, sequence: number): Promise<boolean> {
    return inChildSpan(this.tracing, 'response_cache.store', this.kind, async (span) => {
      const stored = await this.inner.store(key, entry, tags, ttlSeconds, sequence);
      span?.setAttribute(STORED, stored);
      return stored;
    });
  }

  purge(tags: readonly string[] | 'all'): Promise<number> {
    return inChildSpan(this.tracing, 'response_cache.purge', this.kind, async (span) => {
      const removed = await this.inner.purge(tags);
      span?.setAttribute(PURGED, removed);
      return removed;
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
