import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Webhook } from 'standardwebhooks';
import { isUuid } from '../../../infra/ids.js';
import { OutboundRefused, type OutboundHttp } from '../../../infra/http/outbound-http.js';
import type { Logger } from '../../../infra/logger.js';
import { pause, retryDelay } from '../../../infra/pause.js';
import type { ClaimedMessage, QueueRow, QueuesRepository } from '../queues-repository.js';
import type { QueueSignals } from '../queue-signals.js';
import type { AttemptResult, EndpointRow, Settlement, WebhookBody, WebhooksRepository } from './webhooks-repository.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** An idle endpoint loop looks again after this even without a wake-up, for retries coming due. */
const IDLE_MS = 1_000;
/** How often the sender looks for endpoints created or enabled on another replica. */
const REFRESH_MS = 2_000;
/** A claimed message stays hidden this long beyond the request's timeout, for the settling transaction. */
const VISIBILITY_MARGIN_SECONDS = 30;
/** How long a loop uses the endpoint's row (and its queue's) before reading them again; a failed attempt reads them at once. */
const ENDPOINT_READ_MS = 500;
/** Attempts of one endpoint claimed and not yet settled, at most, as a multiple of its maxConcurrency. */
const MAX_UNSETTLED_FACTOR = 4;
/** Messages of one endpoint claimed ahead and waiting for a free slot, at most, as a multiple of its maxConcurrency. */
const CLAIM_AHEAD_FACTOR = 4;

export interface WebhookSenderDeps {
  repository: WebhooksRepository;
  queues: QueuesRepository;
  signals: QueueSignals;
  http: OutboundHttp;
  logger: Logger;
  timeoutMs: number;
  disableAfterSeconds: number;
  /** Counts every attempt; none without metrics. */
  metrics?: WebhookMetrics;
}

/**
 * The `webhook-signature` header: `v1,<base64>` with the endpoint's secret, and while a rotated
 * secret's overlap lasts a second signature with the previous one, space-separated (the spec lets a
 * receiver accept any of them).
 */
export function signatureHeader(endpoint: Pick<EndpointRow, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, id: string, at: Date, body: string): string {
  const secrets = [endpoint.secret];
  if (endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at) secrets.push(endpoint.previousSecret);
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
}

/** The body as sent, its fields in the spec's order (the stored jsonb does not keep key order). */
function bodyText(payload: WebhookBody): string {
  return JSON.stringify({ type: payload.type, timestamp: payload.timestamp, data: payload.data });
}

/**
 * Sends this process's share of every enabled endpoint's deliveries: one independent loop per
 * endpoint, so a slow or failing endpoint delays no other. The loops compete with other replicas'
 * for the messages of the endpoint queues (`for update skip locked`), as any consumers do.
 */
export class WebhookSender {
  private readonly loops = new Map<string, Promise<void>>();
  private readonly running = new Map<string, EndpointLoop>();
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly deps: WebhookSenderDeps) {}

  start(): void {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.timer.unref();
    void this.refresh();
  }

  /**
   * Starts a loop for each enabled endpoint that has none; called on a timer and when this process
   * changes an endpoint (then `changed` names it, and its loop reads it again before its next claim).
   */
  refresh(changed?: string): Promise<void> {
    if (this.controller.signal.aborted) return Promise.resolve();
    if (changed) this.running.get(changed)?.forget();
    this.refreshing ??= this.startLoops()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not list webhook endpoints; trying again'))
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Ends every loop once its requests in flight are settled. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.controller.abort();
    await this.refreshing;
    await Promise.all(this.loops.values());
    await this.deps.http.close();
  }

  private async startLoops(): Promise<void> {
    for (const endpoint of await this.deps.repository.listEndpoints()) {
      if (!endpoint.enabled || this.loops.has(endpoint.id) || this.controller.signal.aborted) continue;
      const running = new EndpointLoop(endpoint.id, this.deps, this.controller.signal);
      this.running.set(endpoint.id, running);
      const loop = running.run().finally(() => {
        this.loops.delete(endpoint.id);
        this.running.delete(endpoint.id);
      });
      this.loops.set(endpoint.id, loop);
    }
  }
}

/**
 * One endpoint's loop: claims its due messages up to maxConcurrency in flight (and, with a rate
 * limit, no more per second than it allows; in-process, so per replica), POSTs each, and settles
 * it. Reads the endpoint again at least every half second (and after a failed attempt), so a change applies within that; ends when it is disabled
 * or deleted (the requests in flight are settled first).
 */
class EndpointLoop {
  private readonly inFlight = new Set<Promise<void>>();
  private limiter: RateLimiterMemory | undefined;
  private readonly log: Logger;
  /** The endpoint and its queue as last read, and when. */
  private current: { endpoint: EndpointRow | undefined; queue: QueueRow | undefined; at: number } | undefined;
  /** Attempts done and waiting to be settled; settled together, in one transaction, while the previous batch commits. */
  private readonly unsettled: { settlement: Settlement; settled: (error?: unknown) => void }[] = [];
  private settling: Promise<void> | undefined;
  /** Requests sent (or about to be) and not yet answered. */
  private requests = 0;
  /** Messages claimed and not yet sent, oldest first. */
  private readonly claimed: ClaimedMessage[] = [];
  /** Resolves the current slotFreed() promise. */
  private freed: (() => void) | undefined;
  private failureSettling: Promise<void> | undefined;

  constructor(
    private readonly endpointId: string,
    private readonly deps: WebhookSenderDeps,
    private readonly signal: AbortSignal,
  ) {
    this.log = deps.logger.child({ webhookEndpoint: endpointId });
  }

  async run(): Promise<void> {
    let failures = 0;
    try {
      while (!this.signal.aborted) {
        try {
          if (!(await this.round())) break;
          failures = 0;
        } catch (error) {
          failures++;
          const waitMs = retryDelay(failures);
          this.log.warn({ err: error, retryInMs: waitMs }, 'webhook sender failed; trying again');
          await pause(waitMs, this.signal);
        }
      }
    } finally {
      await Promise.all(this.inFlight);
      await this.releaseClaimed().catch((error: unknown) => this.log.warn({ err: error }, 'could not give back claimed webhook messages; they come back after their visibility'));
    }
  }

  /** False when the endpoint is gone or disabled. */
  private async round(): Promise<boolean> {
    const { endpoint, queue } = await this.read();
    if (!endpoint?.enabled || !queue) return false;
    // A failed attempt may disable the endpoint: nothing more is sent or claimed until it is settled.
    if (this.failureSettling) {
      await this.failureSettling;
      return true;
    }
    this.pump(endpoint, queue);
    // Messages are claimed ahead, up to 4 × maxConcurrency waiting here, so that a request answered is
    // followed by the next at once instead of after a claim's round trip. Claims wait for half of
    // that room, so that a busy endpoint claims in batches; attempts answered and waiting to be
    // settled are bounded too.
    const room = endpoint.maxConcurrency * CLAIM_AHEAD_FACTOR - this.claimed.length;
    if (room < Math.ceil((endpoint.maxConcurrency * CLAIM_AHEAD_FACTOR) / 2) || this.inFlight.size >= endpoint.maxConcurrency * MAX_UNSETTLED_FACTOR) {
      await Promise.race([this.slotFreed(), ...this.inFlight]);
      return true;
    }
    const { allowed, waitMs } = await this.take(endpoint, room);
    if (allowed === 0) {
      await pause(waitMs, this.signal);
      return true;
    }
    const seen = this.deps.signals.count(queue.id);
    const visibility = Math.ceil(this.deps.timeoutMs / 1000) + VISIBILITY_MARGIN_SECONDS;
    const claimed = await this.deps.queues.receive(queue, allowed, visibility, null);
    if (claimed.length < allowed) await this.limiter?.reward(this.endpointId, allowed - claimed.length);
    if (claimed.length === 0) {
      await Promise.race([this.deps.signals.wait(queue.id, IDLE_MS, this.signal, seen), this.slotFreed(), ...this.inFlight]);
      return true;
    }
    this.claimed.push(...claimed);
    this.pump(endpoint, queue);
    return true;
  }

  /** Sends claimed messages while the endpoint has free slots (and no failed attempt is being settled). */
  private pump(endpoint: EndpointRow, queue: QueueRow): void {
    while (this.requests < endpoint.maxConcurrency && this.claimed.length > 0 && !this.failureSettling && !this.signal.aborted) {
      const message = this.claimed.shift()!;
      this.requests++;
      const sending: Promise<void> = this.send(endpoint, queue, message)
        .catch((error: unknown) => this.log.warn({ err: error, messageId: message.message.id }, 'could not settle a webhook attempt; the message will be delivered again'))
        .finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  /** Gives back what was claimed and not sent (uncounted: no attempt was made). */
  private async releaseClaimed(): Promise<void> {
    const unsent = this.claimed.splice(0).map((message) => message.delivery);
    await this.deps.queues.release([], unsent, 'the webhook sender stopped before sending it', null);
  }

  /** Resolves when a request is answered. */
  private slotFreed(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.freed;
      this.freed = () => {
        this.freed = undefined;
        previous?.();
        resolve();
      };
    });
  }

  /** Reads the endpoint again before the next claim (it was changed). */
  forget(): void {
    this.current = undefined;
  }

  private async read(): Promise<{ endpoint: EndpointRow | undefined; queue: QueueRow | undefined }> {
    if (!this.current || Date.now() - this.current.at > ENDPOINT_READ_MS) {
      const [endpoint] = await this.deps.repository.endpointsByIds([this.endpointId]);
      const [queue] = endpoint ? await this.deps.queues.findByIds([endpoint.queueId]) : [];
      this.current = { endpoint, queue, at: Date.now() };
    }
    return this.current;
  }

  /** Resolves once the attempt is settled (with the others waiting then, in one transaction). */
  private settle(settlement: Settlement): Promise<void> {
    return new Promise((resolve, reject) => {
      this.unsettled.push({ settlement, settled: (error) => (error === undefined ? resolve() : reject(error)) });
      this.settling ??= this.settleWaiting();
    });
  }

  private async settleWaiting(): Promise<void> {
    while (this.unsettled.length > 0) {
      const batch = this.unsettled.splice(0);
      try {
        const errors = await this.deps.repository.settle(batch.map((item) => item.settlement));
        batch.forEach((item, index) => item.settled(errors[index]));
      } catch (error) {
        for (const item of batch) item.settled(error);
      }
    }
    this.settling = undefined;
  }

  /** How many requests may start now (at most `wanted`), and when to look again if none. */
  private async take(endpoint: EndpointRow, wanted: number): Promise<{ allowed: number; waitMs: number }> {
    const rate = endpoint.rateLimitPerSecond;
    if (!rate) {
      this.limiter = undefined;
      return { allowed: wanted, waitMs: 0 };
    }
    if (this.limiter?.points !== rate) this.limiter = new RateLimiterMemory({ points: rate, duration: 1 });
    const used = await this.limiter.get(this.endpointId);
    const allowed = Math.min(wanted, rate - (used?.consumedPoints ?? 0));
    if (allowed <= 0) return { allowed: 0, waitMs: Math.max(10, used?.msBeforeNext ?? 100) };
    await this.limiter.consume(this.endpointId, allowed);
    return { allowed, waitMs: 0 };
  }

  private async send(endpoint: EndpointRow, queue: QueueRow, { message, delivery: receipt }: ClaimedMessage): Promise<void> {
    const headers = (message.headers ?? {}) as Record<string, unknown>;
    const deliveryId = headers['webhook-id'];
    if (typeof deliveryId !== 'string' || !isUuid(deliveryId)) {
      this.requests--;
      this.freed?.();
      await this.deps.repository.rejectMessage(receipt, `not a webhook delivery: queue ${queue.name} carries messages with a webhook-id header only`);
      return;
    }
    const body = bodyText(message.payload as WebhookBody);
    const at = new Date();
    const started = performance.now();
    let result: AttemptResult;
    try {
      const response = await this.deps.http.post(endpoint.url, {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Interchange-Webhooks/1',
          'webhook-id': deliveryId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signatureHeader(endpoint, deliveryId, at, body),
        },
        body,
      });
      result = { statusCode: response.status, latencyMs: response.latencyMs, responseBody: response.bodyExcerpt, error: null };
    } catch (error) {
      const reason = error instanceof OutboundRefused ? `refused: ${error.reason}` : (error as Error).message || String(error);
      result = { statusCode: null, latencyMs: Math.round(performance.now() - started), responseBody: null, error: reason };
    } finally {
      this.requests--;
      this.freed?.();
    }
    this.deps.metrics?.attempted(result.statusCode, result.latencyMs);
    const status = result.statusCode;
    const success = status !== null && status >= 200 && status < 300;
    const schedule = endpoint.retrySchedule;
    const settled = this.settle({
      endpoint,
      deliveryId,
      receipt,
      result,
      success,
      retryDelaySeconds: schedule[Math.min(message.attempts, schedule.length) - 1] ?? 0,
      disableReason: status === 410 ? `the endpoint answered 410 Gone (${endpoint.url})` : null,
      disableAfterSeconds: this.deps.disableAfterSeconds,
    });
    if (!success) {
      // The failure may disable the endpoint: no claim until it is settled, then read it again.
      const waiting: Promise<void> = settled
        .catch(() => {})
        .finally(() => {
          if (this.failureSettling === waiting) this.failureSettling = undefined;
          this.current = undefined;
        });
      this.failureSettling = waiting;
      this.log.info({ deliveryId, attempt: message.attempts, status, error: result.error }, 'webhook attempt failed');
    }
    // The slot is free: the next claimed message goes now (unless the failure above closed the gate).
    if (this.current?.endpoint?.enabled && this.current.queue) this.pump(this.current.endpoint, this.current.queue);
    await settled;
  }
}
