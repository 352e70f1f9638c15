import { Gauge } from 'prom-client';
import type { Registry } from '../metrics/metrics-registry.js';
import type { PoolStats } from './database.js';

/** The PostgreSQL pools of one service, as gauges read at each scrape. */
export interface PoolMetrics {
  /** Reports `stats` under `pool` (`main`, `webhooks`) from now on. */
  watch(pool: string, stats: () => PoolStats): void;
}

/** One set of gauges per registry: a service with two pools (queues) reports both under the same names. */
const byRegistry = new WeakMap<Registry, PoolMetrics>();

/**
 * `interchange_db_pool_connections{pool,state}` (in_use, idle), `interchange_db_pool_waiting{pool}`
 * (queries queued for a connection) and `interchange_db_pool_max{pool}`, read from pg's pool when
 * /metrics is read: nothing is counted per query.
 */
export function poolMetrics(registry: Registry): PoolMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const pools = new Map<string, () => PoolStats>();
  new Gauge({
    name: 'interchange_db_pool_connections',
    help: 'PostgreSQL connections of the pool, by state (in_use: checked out by a query or transaction; idle)',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [pool, stats] of pools) {
        const { total, idle } = stats();
        this.set({ pool, state: 'in_use' }, total - idle);
        this.set({ pool, state: 'idle' }, idle);
      }
    },
  });
  new Gauge({
    name: 'interchange_db_pool_waiting',
    help: 'Queries waiting for a free PostgreSQL connection of the pool',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      for (const [pool, stats] of pools) this.set({ pool }, stats().waiting);
    },
  });
  new Gauge({
    name: 'interchange_db_pool_max',
    help: 'The most PostgreSQL connections the pool opens',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      for (const [pool, stats] of pools) this.set({ pool }, stats().max);
    },
  });
  metrics = { watch: (pool, stats) => void pools.set(pool, stats) };
  byRegistry.set(registry, metrics);
  return metrics;
}
