import { Gauge } from 'prom-client';
import { LightCounter } from '../../infra/metrics/light-metrics.js';
import { mirroredCounter, type Registry } from '../../infra/metrics/metrics-registry.js';
import { circuitStateValue, type CircuitStateName } from '../../infra/resilience/circuit-state.js';
import type { CacheCounters } from '../cache/response-cache.js';
import type { SubscriptionCounters } from '../subscriptions/federated-subscriptions.js';

/**
 * The response cache's counters, copied from the cache's own totals when /metrics is read:
 * `interchange_response_cache_hits_total`, `_misses_total`, `_stale_total` (expired answers served
 * because a subgraph failed), `_bypasses_total` (requests served without the cache because its
 * storage failed), `_stores_total` and `_purged_total` (entries removed by events, mutations and operators).
 */
export function responseCacheMetrics(registry: Registry, counters: () => CacheCounters): void {
  const mirror = (suffix: string, help: string, read: (counters: CacheCounters) => number) =>
    mirroredCounter(registry, { name: `interchange_response_cache_${suffix}_total`, help, read: () => [{ labels: {}, value: read(counters()) }] });
  mirror('hits', 'Queries answered from the response cache', (c) => c.hits);
  mirror('misses', 'Queries the response cache could not answer (they ran)', (c) => c.misses);
  mirror('stale', 'Expired answers served because a subgraph failed (stale-if-error)', (c) => c.staleServed);
  mirror('bypasses', 'Cache operations given up because its storage failed (Redis down or slow): the request was served without the cache', (c) => c.bypasses);
  mirror('stores', 'Answers stored in the response cache', (c) => c.stores);
  mirror('purged', 'Entries removed from the response cache by events, mutations and operators', (c) => c.purged);
}

/**
 * Each subgraph's circuit breaker, read when /metrics is read: `api_gateway_circuit_breaker_trips_total{subgraph}`
 * (times it opened) and `api_gateway_circuit_breaker_state{subgraph}` (0 closed, 1 half-open, 2 open, 3 isolated).
 */
export function circuitBreakerMetrics(registry: Registry, circuits: () => Record<string, { state: CircuitStateName; transitions: Record<CircuitStateName, number> }>): void {
  mirroredCounter(registry, {
    name: 'api_gateway_circuit_breaker_trips_total',
    help: 'Times a subgraph\'s circuit breaker opened',
    labelNames: ['subgraph'] as const,
    read: () => Object.entries(circuits()).map(([subgraph, circuit]) => ({ labels: { subgraph }, value: circuit.transitions.open })),
  });
  new Gauge({
    name: 'api_gateway_circuit_breaker_state',
    help: 'A subgraph\'s circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated',
    labelNames: ['subgraph'] as const,
    registers: [registry],
    collect() {
      for (const [subgraph, circuit] of Object.entries(circuits())) this.set({ subgraph }, circuitStateValue(circuit.state));
    },
  });
}

/**
 * The router's subscription counters: `interchange_subscription_events_delivered_total`,
 * `interchange_subscription_slow_disconnects_total` (close code 4008) and
 * `interchange_subscription_resumes_total` (subscriptions from `after`); and
 * `interchange_subscription_upstream_streams`, the subscriptions open on subgraphs now (identical
 * live subscriptions share one).
 */
export function subscriptionMetrics(registry: Registry, upstreamStreams: () => number): SubscriptionCounters {
  // Per event and subscriber: a plain number (light-metrics.ts).
  const counter = (name: string, help: string) => new LightCounter(registry, { name, help, labelNames: [] }).cell({});
  const delivered = counter('interchange_subscription_events_delivered_total', 'Subscription events sent to subscribers\' sockets');
  const slow = counter('interchange_subscription_slow_disconnects_total', 'Subscribers disconnected for reading too slowly (close code 4008)');
  const resumes = counter('interchange_subscription_resumes_total', 'Subscriptions that resume from a cursor (after)');
  new Gauge({
    name: 'interchange_subscription_upstream_streams',
    help: 'Subscriptions the router holds open on subgraphs now',
    registers: [registry],
    collect() {
      this.set(upstreamStreams());
    },
  });
  return { delivered: () => delivered.inc(), slowDisconnect: () => slow.inc(), resumed: () => resumes.inc() };
}
