import type { ClaimedMessage } from '../queues-repository.js';
import type { QueueWorkerDeps } from '../workers.js';
import { pause, retryDelay } from '../../../infra/pause.js';
import { errorMessage, type Broker, type OutgoingMessage } from './broker.js';

/** Messages claimed per round, and how long they stay hidden while they are published. */
const BATCH = 100;
const VISIBILITY_SECONDS = 60;
/** How long an idle export waits for a wake-up before it looks anyway (delays and retries coming due). */
const IDLE_WAIT_MS = 5_000;
/** How often a missing hub queue is looked for again. */
const MISSING_QUEUE_RETRY_MS = 5_000;

/** The broker message of a hub message: its payload as JSON, its headers, its ordering key as `x-ordering-key`. */
export function queueMessage(queueName: string, { message }: ClaimedMessage): OutgoingMessage {
  const headers = { ...((message.headers as Record<string, string> | null) ?? {}) };
  if (message.orderingKey) headers['x-ordering-key'] = message.orderingKey;
  return { key: `queue.${queueName}`, id: message.id, body: JSON.stringify(message.payload), headers };
}

/**
 * Moves the messages of hub queue `queueName` to the broker until `signal` aborts: it claims a
 * batch only while the broker is connected, publishes each message with confirm, then acks the
 * confirmed ones and nacks the others with the broker's error, so that they are tried again under
 * the queue's retry policy (and end as dead letters after its last attempt, never dropped). A
 * crash in between leaves the batch in flight until its visibility ends; it is then delivered and
 * published again (at least once; the hub message id is the broker message id). A hub queue that
 * does not exist is logged and looked for again every few seconds: the bridge does not create
 * queues (their kind and settings are the operator's).
 */
export async function exportQueue(deps: QueueWorkerDeps, broker: Broker, queueName: string, signal: AbortSignal): Promise<void> {
  const log = deps.logger.child({ bridge: broker.name, exportQueue: queueName });
  let failures = 0;
  let missing = false;
  while (!signal.aborted) {
    try {
      await broker.connected(signal);
      if (signal.aborted) return;
      const [queue] = await deps.repository.findByNames([queueName]);
      if (!queue) {
        if (!missing) log.warn('the hub queue to export does not exist; looking for it again every few seconds');
        missing = true;
        await pause(MISSING_QUEUE_RETRY_MS, signal);
        continue;
      }
      missing = false;
      const seen = deps.signals.count(queue.id);
      const claimed = await deps.repository.receive(queue, BATCH, VISIBILITY_SECONDS, null);
      if (claimed.length === 0) {
        failures = 0;
        await deps.signals.wait(queue.id, IDLE_WAIT_MS, signal, seen);
        continue;
      }
      const results = await Promise.allSettled(claimed.map((item) => broker.publish(queueMessage(queueName, item))));
      const sent = claimed.filter((_, i) => results[i]!.status === 'fulfilled');
      const failed = claimed.filter((_, i) => results[i]!.status === 'rejected');
      if (sent.length > 0) await deps.repository.ack(sent.map((item) => item.delivery));
      if (failed.length > 0) {
        const reason = errorMessage((results.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason);
        log.warn({ failed: failed.length, error: reason }, 'the broker did not confirm exported messages; they are nacked and tried again');
        await deps.repository.nack(failed.map((item) => item.delivery), null, `${broker.name} bridge: ${reason}`, null);
        failures += 1;
        await pause(retryDelay(failures), signal);
      } else failures = 0;
    } catch (error) {
      // The database (or an ack after a visibility ended): what was not acked is delivered again.
      failures += 1;
      log.warn({ err: error, retryInMs: retryDelay(failures) }, 'queue export failed; retrying');
      await pause(retryDelay(failures), signal);
    }
  }
}
