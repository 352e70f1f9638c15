import { InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { ConfigError } from '../../infra/config.js';
import type { RouterConfig } from '../config.js';
import { HUB_SUBGRAPHS } from '../../infra/hub-subgraphs.js';
import type { Logger } from '../../infra/logger.js';
import type { Tracing } from '../../infra/tracing/tracing.js';
import { SubgraphClient } from './subgraph-client.js';
import { SubgraphDataSource } from './subgraph-data-source.js';
import type { CircuitStateName } from '../../infra/resilience/circuit-state.js';
import { SubgraphPolicy } from './subgraph-policy.js';

/** How the router reaches its subgraphs: one connection pool, a policy per subgraph, the signers of the internal header. */
export interface SubgraphFetching {
  /** The shared keep-alive pool and its counters. */
  client: SubgraphClient;
  /** The signer of a subgraph's internal header; undefined for a subgraph that gets none. */
  internalTokens(name: string): InternalTokenSigner | undefined;
  /** A data source for a subgraph: its URL, timeout, policy and signer. */
  dataSource(name: string): SubgraphDataSource;
  /** A subgraph's circuit state now. */
  circuit(name: string): CircuitStateName | undefined;
  /** A subgraph's circuit as operators see it: its state, failures in a row, and when it last opened. */
  circuitDetail(name: string): { state: CircuitStateName; failures: number; openedAt: Date | undefined } | undefined;
  /** Each subgraph's circuit breaker: its state and its state changes since start. */
  circuits(): Record<string, { state: CircuitStateName; transitions: Record<CircuitStateName, number> }>;
  close(): Promise<void>;
}

/**
 * The signer of each subgraph's internal header: with INTERNAL_TOKEN_SECRET, for the subgraphs
 * INTERNAL_TOKEN_SUBGRAPHS names (default: the hub's own that the supergraph has); none for the
 * others. Each signs tokens for its subgraph alone (their audience is its name).
 */
function internalTokenSigners(config: RouterConfig, subgraphs: string[]): (name: string) => InternalTokenSigner | undefined {
  const secret = config.INTERNAL_TOKEN_SECRET;
  const named = config.INTERNAL_TOKEN_SUBGRAPHS;
  const unknown = named?.filter((name) => !subgraphs.includes(name)) ?? [];
  if (unknown.length > 0) {
    // Subgraph names only: the error never shows a secret.
    throw new ConfigError(`Invalid configuration:\n  INTERNAL_TOKEN_SUBGRAPHS=${JSON.stringify(named!.join(','))}: ${unknown.join(', ')} names no subgraph of this supergraph (it has ${subgraphs.join(', ')})`);
  }
  const signed = named ?? subgraphs.filter((name) => HUB_SUBGRAPHS.includes(name));
  const signers = new Map(secret ? signed.map((name) => [name, new InternalTokenSigner(secret, name)]) : []);
  return (name) => signers.get(name);
}

/**
 * One policy per subgraph (bulkhead, breaker, retries), shared by queries, mutations and the
 * entity fetches of subscription events; one pool for all of them. With `tracing`, each attempt
 * of a fetch within a traced operation is a span, and carries its `traceparent` to the subgraph.
 * Throws ConfigError for an INTERNAL_TOKEN_SUBGRAPHS that names a subgraph the supergraph does not have.
 */
export function createSubgraphFetching(config: RouterConfig, subgraphUrls: Record<string, string>, logger: Logger, tracing?: Tracing): SubgraphFetching {
  const policyOptions = {
    breakerFailures: config.SUBGRAPH_BREAKER_FAILURES,
    breakerResetMs: config.SUBGRAPH_BREAKER_RESET_MS,
    maxAttempts: config.SUBGRAPH_MAX_ATTEMPTS,
    retryBudgetRatio: config.SUBGRAPH_RETRY_BUDGET,
    maxConcurrency: config.SUBGRAPH_MAX_CONCURRENCY,
  };
  const policies = new Map(Object.keys(subgraphUrls).map((name) => [name, new SubgraphPolicy(name, policyOptions, logger)]));
  const client = new SubgraphClient(config.SUBGRAPH_CONNECTIONS);
  const internalTokens = internalTokenSigners(config, Object.keys(subgraphUrls));
  return {
    client,
    internalTokens,
    dataSource: (name) =>
      new SubgraphDataSource({ url: subgraphUrls[name]!, timeoutMs: config.SUBGRAPH_TIMEOUT_MS, policy: policies.get(name)!, client, internalTokens: internalTokens(name), tracing }),
    circuit: (name) => policies.get(name)?.state,
    circuitDetail: (name) => {
      const policy = policies.get(name);
      return policy && { state: policy.state, failures: policy.failures, openedAt: policy.openedAt };
    },
    circuits: () => Object.fromEntries([...policies].map(([name, policy]) => [name, { state: policy.state, transitions: { ...policy.transitions } }])),
    close: () => client.close(),
  };
}
