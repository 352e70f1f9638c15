import type { GraphQLError } from 'graphql';
import { pause, retryDelay } from '../../../infra/pause.js';
import { RouterUnreachable, type RouterClient } from '../../../infra/graphql/router-client.js';
import type { ClaimedMessage, QueueRow } from '../queues-repository.js';
import type { QueueWorkerDeps } from '../workers.js';
import { MESSAGE_PROCESSORS, type Outcome } from './message-processors.js';
import { PROCESSOR_TYPES, type ProcessorType } from './processor-config.js';

/** How long a received message stays hidden: well beyond a batch's router calls (15 s each at most, made at once). */
const VISIBILITY_SECONDS = 60;
/** An idle processor looks again after this even without a wake-up, for delays and retries coming due. */
const IDLE_MS = 2_000;
/** While the router is not up (the hub starts it after the subgraphs), how often to look again. */
const ROUTER_WAIT_MS = 250;

const isProcessorType = (type: string): type is ProcessorType => (PROCESSOR_TYPES as readonly string[]).includes(type);

/** A message's type: its `type` header when it has one, else the name of the queue it came from. */
function typeOf(headers: unknown, queue: string): string {
  const type = headers && typeof headers === 'object' ? (headers as Record<string, unknown>).type : undefined;
  return typeof type === 'string' && type.trim() ? type.trim() : queue;
}

/**
 * One processor's loop over the hub queue of its name: receive a batch, apply each message through
 * the router (concurrently), then ack it, dead-letter it at once (unknown type, invalid payload, a
 * refusal that can never succeed) or nack it for the queue's retry policy (anything transient).
 * The queue is created when missing (STANDARD, EFFECTIVELY_ONCE, defaults otherwise); an existing
 * one is used with the settings an admin gave it, read again for every batch.
 */
export class QueueProcessor {
  constructor(
    private readonly name: ProcessorType,
    private readonly deps: QueueWorkerDeps,
    private readonly router: RouterClient,
    private readonly routerUp: () => boolean,
  ) {}

  /** Runs until `signal` aborts; resolves once the current batch is done. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.step(signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        const waitMs = retryDelay(failures);
        this.deps.logger.warn({ err: error, processor: this.name, retryInMs: waitMs }, 'queue processor failed; trying again');
        await pause(waitMs, signal);
      }
    }
  }

  private async step(signal: AbortSignal): Promise<void> {
    const queue = await this.queue();
    if (!this.routerUp()) return pause(ROUTER_WAIT_MS, signal);
    const seen = this.deps.signals.count(queue.id);
    const claimed = await this.deps.repository.receive(queue, this.deps.config.PROCESSOR_BATCH_SIZE, VISIBILITY_SECONDS, null);
    if (claimed.length === 0) return this.deps.signals.wait(queue.id, IDLE_MS, signal, seen);
    await Promise.all(claimed.map((message) => this.handle(queue, message)));
  }

  private async queue(): Promise<QueueRow> {
    const [existing] = await this.deps.repository.findByNames([this.name]);
    if (existing) return existing;
    try {
      return await this.deps.repository.create({ name: this.name, kind: 'STANDARD', deliveryMode: 'EFFECTIVELY_ONCE' }, null);
    } catch (error) {
      // Another replica created it first.
      const [created] = await this.deps.repository.findByNames([this.name]);
      if (created) return created;
      throw error;
    }
  }

  private async handle(queue: QueueRow, { message, delivery }: ClaimedMessage): Promise<void> {
    const outcome = await this.process(queue, message.id, message.headers, message.payload);
    const log = this.deps.logger.child({ processor: this.name, messageId: message.id, attempt: message.attempts });
    if (queue.deliveryMode === 'AT_MOST_ONCE') {
      // Done when received: nothing to ack, and a failure cannot be retried.
      if (outcome.kind !== 'done') log.warn({ reason: outcome.reason }, 'message of an AT_MOST_ONCE queue failed and is not retried');
      return;
    }
    try {
      switch (outcome.kind) {
        case 'done':
          await this.deps.repository.ack([delivery]);
          return;
        case 'dead':
          log.info({ reason: outcome.reason }, 'message dead-lettered');
          await this.deps.repository.nack([delivery], null, outcome.reason, null, true);
          return;
        case 'retry':
          log.info({ reason: outcome.reason }, 'message failed; the queue retries it');
          await this.deps.repository.nack([delivery], outcome.delaySeconds ?? null, outcome.reason, null);
          return;
        default: {
          const unknown: never = outcome;
          throw new Error(`unknown outcome ${String(unknown)}`);
        }
      }
    } catch (error) {
      // RECEIPT_EXPIRED: the visibility ended first, so the message comes again; its idempotency key makes that harmless.
      const code = (error as GraphQLError).extensions?.code;
      log.warn({ err: code ? undefined : error, code, outcome: outcome.kind }, 'could not settle a message; it will be delivered again');
    }
  }

  private async process(queue: QueueRow, messageId: string, headers: unknown, payload: unknown): Promise<Outcome> {
    const type = typeOf(headers, queue.name);
    if (!isProcessorType(type)) return { kind: 'dead', reason: `unknown message type ${JSON.stringify(type)}: the processors are ${PROCESSOR_TYPES.join(', ')}` };
    const processor = MESSAGE_PROCESSORS[type];
    const parsed = processor.payload.safeParse(payload);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'payload'} ${issue.message}`);
      return { kind: 'dead', reason: `invalid ${type} payload: ${problems.join('; ')}` };
    }
    try {
      return await processor.apply(parsed.data, messageId, this.router);
    } catch (error) {
      if (error instanceof RouterUnreachable) return { kind: 'retry', reason: error.message };
      this.deps.logger.error({ err: error, processor: this.name, messageId }, 'queue processor failed on a message');
      return { kind: 'retry', reason: `processor error: ${(error as Error).message}` };
    }
  }
}
