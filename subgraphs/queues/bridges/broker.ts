/**
 * The seam between the bridges' shared loops (event mirror, queue export, queue import) and a
 * broker adapter (amqp-bridge.ts, nats-bridge.ts): the loops say what to send and when, the
 * adapters only how.
 */

/** A message for the broker. */
export interface OutgoingMessage {
  /** `event.<type>` or `queue.<name>`: the routing key (RabbitMQ), or the subject after the prefix (NATS). */
  key: string;
  /** The event's or the hub message's id, as the broker's message id (JetStream dedups on it). */
  id: string;
  /** JSON. */
  body: string;
  headers: Record<string, string>;
}

/** A message from the broker, before it is a hub message. */
export interface IncomingMessage {
  body: Uint8Array;
  /** The broker's id for it, stable across redeliveries; absent when the sender set none (RabbitMQ). */
  messageId: string | undefined;
  headers: Record<string, string>;
}

/** A broker adapter: one per broker, two methods for the loops, two for its lifecycle. */
export interface Broker {
  /** `amqp` or `nats`: in logs and in the event cursor's name. */
  readonly name: string;
  /** Starts connecting and resolves without waiting for the broker: the subgraph starts whether or not it answers. */
  start(): Promise<void>;
  /** Closes the connection; a message being imported is left unacked, and the broker delivers it again. */
  stop(): Promise<void>;
  /** Resolves when connected (at once if connected now), or when `signal` aborts. */
  connected(signal: AbortSignal): Promise<void>;
  /** Resolves once the broker has confirmed the message as stored; rejects when it did not (not connected, nacked, timed out). */
  publish(message: OutgoingMessage): Promise<void>;
}

/** Open while a broker connection is usable; `wait` resolves when it is (or when its signal aborts). */
export class ConnectionGate {
  private waiters = new Set<() => void>();
  private isOpen = false;

  get open(): boolean {
    return this.isOpen;
  }

  set(open: boolean): void {
    this.isOpen = open;
    if (!open) return;
    for (const done of [...this.waiters]) done();
  }

  wait(signal: AbortSignal): Promise<void> {
    if (this.isOpen || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
