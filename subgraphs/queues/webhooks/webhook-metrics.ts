import { Counter, Histogram } from 'prom-client';
import { OUTBOUND_BUCKETS, type Registry } from '../../../infra/metrics/metrics-registry.js';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/**
 * Webhook delivery attempts, of every endpoint together (endpoints are ids, which labels never
 * carry): `interchange_webhook_deliveries_total{outcome,status}` (outcome `delivered` for a 2xx,
 * `failed` otherwise; status the answer's class, or `none` when no answer came: refused by the
 * SSRF guard, a connection failure, a timeout) and `interchange_webhook_delivery_duration_seconds`.
 */
export class WebhookMetrics {
  private readonly byStatus: Record<string, Counter.Internal>;
  private readonly duration: Histogram;

  constructor(registry: Registry) {
    const attempts = new Counter({
      name: 'interchange_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (delivered: a 2xx answer) and the answer\'s status class (none: no answer)',
      labelNames: ['outcome', 'status'] as const,
      registers: [registry],
    });
    this.byStatus = Object.fromEntries([
      ...STATUS_CLASSES.map((status) => [status, attempts.labels({ outcome: status === '2xx' ? 'delivered' : 'failed', status })]),
      ['none', attempts.labels({ outcome: 'failed', status: 'none' })],
    ]);
    this.duration = new Histogram({
      name: 'interchange_webhook_delivery_duration_seconds',
      help: 'How long a webhook delivery attempt took, from the request to the end of the answer (or the failure)',
      buckets: [...OUTBOUND_BUCKETS],
      registers: [registry],
    });
  }

  /** One attempt: the status it was answered with (null: none) and how long it took (null: not measured). */
  attempted(statusCode: number | null, latencyMs: number | null): void {
    const status = statusCode === null ? 'none' : (STATUS_CLASSES[Math.floor(statusCode / 100) - 1] ?? 'none');
    this.byStatus[status]!.inc();
    if (latencyMs !== null) this.duration.observe(latencyMs / 1000);
  }
}
