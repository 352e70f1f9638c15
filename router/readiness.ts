export interface SubgraphStatus {
  name: string;
  url: string;
  ready: boolean;
  /** How long its answer took (also when it failed). */
  latencyMs: number;
  error?: string;
}

/**
 * Asks every subgraph `{ __typename }`, which any GraphQL server answers, so that readiness
 * works for foreign subgraphs too. `headers` adds headers to a subgraph's check (the router's
 * signed internal header, which the hub's subgraphs require).
 */
export async function checkSubgraphs(
  urls: Record<string, string>,
  timeoutMs: number,
  headers: (name: string) => Promise<Record<string, string>> = async () => ({}),
): Promise<SubgraphStatus[]> {
  return Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      const started = performance.now();
      const took = () => Math.round((performance.now() - started) * 10) / 10;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await headers(name)) },
          body: '{"query":"query __InterchangeReadiness { __typename }"}',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = (await response.json()) as { data?: { __typename?: string } };
        if (!response.ok || body.data?.__typename !== 'Query') return { name, url, ready: false, latencyMs: took(), error: `HTTP ${response.status}` };
        return { name, url, ready: true, latencyMs: took() };
      } catch (error) {
        return { name, url, ready: false, latencyMs: took(), error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}
