import { Counter, Gauge, Histogram } from 'prom-client';
import { OUTBOUND_BUCKETS, type Registry } from '../../../infra/metrics/metrics-registry.js';
import { circuitStateValue } from '../../../infra/resilience/circuit-state.js';
import type { SapSystemStatus } from './sap-transport.js';

/** What one exchange with SAP came to: the answer's status class, or why none came. */
export type SapOutcome = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'error';

const OUTCOMES: readonly SapOutcome[] = ['1xx', '2xx', '3xx', '4xx', '5xx', 'timeout', 'error'];

/** One system's share of the SAP metrics, its label children made once. */
export interface SapSystemMetrics {
  /** One HTTP exchange (each attempt of a retried read, and OAuth token requests, count). */
  exchanged(method: string, outcome: SapOutcome, seconds: number): void;
}

/**
 * The SAP connector's metrics, named as the seed names them: `sap_requests_total{system,method,status}`
 * and `sap_request_duration_seconds{system}` per HTTP exchange, and, read from each system's status
 * when /metrics is read, `sap_connection_pool_size{system}`, `sap_connection_pool_in_use{system}` and
 * `sap_circuit_breaker_state{system}` (0 closed, 1 half-open, 2 open, 3 isolated). Systems are the
 * configured ids (SAP_SYSTEMS and the simulator), a bounded set.
 */
export class SapMetrics {
  private readonly requests: Counter<'system' | 'method' | 'status'>;
  private readonly duration: Histogram<'system'>;

  constructor(registry: Registry, systems: () => readonly SapSystemStatus[]) {
    this.requests = new Counter({
      name: 'sap_requests_total',
      help: 'HTTP exchanges with SAP systems, by system, method and the answer\'s status class (timeout, error: no answer)',
      labelNames: ['system', 'method', 'status'] as const,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'sap_request_duration_seconds',
      help: 'How long an HTTP exchange with a SAP system took, answer read',
      labelNames: ['system'] as const,
      buckets: [...OUTBOUND_BUCKETS],
      registers: [registry],
    });
    const gauge = (name: string, help: string, value: (status: SapSystemStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['system'] as const,
        registers: [registry],
        collect() {
          for (const status of systems()) this.set({ system: status.id }, value(status));
        },
      });
    gauge('sap_connection_pool_size', 'Connections the system\'s pool opens at most (SAP_<ID>_POOL_SIZE)', (status) => status.poolSize);
    gauge('sap_connection_pool_in_use', 'Requests in flight to the system now', (status) => status.poolInUse);
    gauge('sap_circuit_breaker_state', 'The system\'s circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated', (status) => circuitStateValue(status.circuit));
  }

  /** The metrics of the system `system`. */
  forSystem(system: string): SapSystemMetrics {
    const duration = this.duration.labels({ system });
    const children = new Map<string, Counter.Internal>();
    return {
      exchanged: (method, outcome, seconds) => {
        const key = `${method} ${outcome}`;
        let child = children.get(key);
        if (!child) children.set(key, (child = this.requests.labels({ system, method, status: OUTCOMES.includes(outcome) ? outcome : 'error' })));
        child.inc();
        duration.observe(seconds);
      },
    };
  }
}
