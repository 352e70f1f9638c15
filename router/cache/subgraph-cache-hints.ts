/** A cache hint: Apollo Server's CacheHint. */
export interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

/** The part of Apollo Server's CachePolicy (an operation's `overallCachePolicy`) that subgraph answers narrow. */
export interface RestrictablePolicy {
  restrict(hint: CacheHint): void;
}

/**
 * What the response cache needs to know of a query's subgraph answers beyond its overall policy,
 * kept in the request's cache state while the query runs: whether an answer came without a
 * Cache-Control header (`unhinted`: the cache supplies its max-age), and whether one had a
 * max-age but no `public` or `private` (`unscoped`: not shared between callers with credentials).
 */
export interface SubgraphCacheHints {
  unhinted: boolean;
  unscoped: boolean;
}

/**
 * Narrows `policy` by one subgraph answer's Cache-Control header as @apollo/gateway's
 * RemoteGraphQLDataSource does (`max-age=N`, `public`, `private`; anything without a max-age,
 * `no-store` included, is max-age 0; `private` wins over `public`), except for an answer without
 * the header when the response cache takes part (`hints`): that is only noted in `hints`, and the
 * cache counts it as RESPONSE_CACHE_DEFAULT_MAX_AGE (or a TTL) before the answer is sent.
 */
export function restrictBySubgraphAnswer(policy: RestrictablePolicy, header: string | null | undefined, hints: SubgraphCacheHints | undefined): void {
  if (!header && hints) {
    hints.unhinted = true;
    return;
  }
  const hint: CacheHint = { maxAge: 0 };
  for (const part of (header ?? '').split(',')) {
    const [name = '', value] = part.split('=', 2).map((side) => side.trim());
    const directive = name.toLowerCase();
    if (directive === 'max-age' && value !== undefined && /^"?\d+"?$/.test(value)) hint.maxAge = Number(value.replace(/"/g, ''));
    else if (directive === 'private') hint.scope = 'PRIVATE';
    else if (directive === 'public' && hint.scope === undefined) hint.scope = 'PUBLIC';
  }
  if (hints && hint.scope === undefined && hint.maxAge! > 0) hints.unscoped = true;
  policy.restrict(hint);
}
