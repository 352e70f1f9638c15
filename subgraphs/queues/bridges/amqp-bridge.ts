import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../../../infra/logger.js';
import type { QueuesRepository } from '../queues-repository.js';
import type { ImportRoute } from './bridge-config.js';
import { ConnectionGate, errorMessage, type Broker, type OutgoingMessage } from './broker.js';
import { importMessage } from './queue-import.js';

export interface AmqpBridgeOptions {
  url: string;
  /** The durable topic exchange published to; declared on every connection. */
  exchange: string;
  imports: readonly ImportRoute[];
  repository: QueuesRepository;
  logger: Logger;
}

/** Unacked messages RabbitMQ hands each import at a time (they are imported one after another, in order). */
const PREFETCH = 100;
/** A publish not confirmed within this (a blocked connection: a broker resource alarm) counts as failed. */
const CONFIRM_TIMEOUT_MS = 30_000;

/**
 * The RabbitMQ adapter (amqplib): one connection with amqplib's own recovery (reconnects with
 * backoff from 500 ms to 15 s, forever), a confirm channel for publishing (persistent messages,
 * the hub's id as messageId) and one channel per import (durable queue, prefetch, manual ack).
 * Every (re)connection declares the exchange and the import queues again and resumes consuming.
 * A channel that the broker closes while the connection stays up (an error on it) closes the
 * connection, so that recovery builds everything again.
 */
export class AmqpBridge implements Broker {
  readonly name = 'amqp';
  private readonly gate = new ConnectionGate();
  private readonly stopping = new AbortController();
  private readonly log: Logger;
  private connection: RecoveringChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  /** Each import's chain of messages in progress, by source queue. */
  private readonly importing = new Map<string, Promise<void>>();

  constructor(private readonly options: AmqpBridgeOptions) {
    this.log = options.logger.child({ bridge: 'amqp' });
  }

  async start(): Promise<void> {
    const connection = await connect(this.options.url, {
      clientProperties: { connection_name: 'interchange-queues-bridge' },
      recovery: { waitForConnect: false, initialDelay: 500, maxDelay: 15_000, setup: (model: ChannelModel) => this.setup(model) },
    });
    connection.on('connect', () => {
      this.log.info({ exchange: this.options.exchange }, 'connected to RabbitMQ');
      this.gate.set(true);
    });
    connection.on('disconnect', (error: Error) => {
      this.gate.set(false);
      this.channel = undefined;
      this.log.warn({ error: errorMessage(error) }, 'RabbitMQ connection lost; reconnecting');
    });
    connection.on('connect-failed', (error: Error) => this.log.warn({ error: errorMessage(error) }, 'connecting to RabbitMQ failed; trying again'));
    connection.on('error', (error: Error) => this.log.warn({ error: errorMessage(error) }, 'RabbitMQ connection error'));
    this.connection = connection;
  }

  connected(signal: AbortSignal): Promise<void> {
    return this.gate.wait(signal);
  }

  publish(message: OutgoingMessage): Promise<void> {
    const channel = this.channel;
    if (!channel || !this.gate.open) return Promise.reject(new Error('not connected to RabbitMQ'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RabbitMQ did not confirm within ${CONFIRM_TIMEOUT_MS} ms`)), CONFIRM_TIMEOUT_MS);
      try {
        // false only means the socket's buffer is full: the message is queued and confirmed as the others.
        channel.publish(
          this.options.exchange,
          message.key,
          Buffer.from(message.body),
          { persistent: true, contentType: 'application/json', messageId: message.id, headers: message.headers, appId: 'interchange', timestamp: Math.floor(Date.now() / 1000) },
          (error: unknown) => {
            clearTimeout(timer);
            if (error) reject(error instanceof Error ? error : new Error('RabbitMQ nacked the message'));
            else resolve();
          },
        );
      } catch (error) {
        clearTimeout(timer);
        reject(error);
      }
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.gate.set(false);
    await Promise.allSettled(this.importing.values());
    await this.connection?.close().catch(() => {});
  }

  /** Run by amqplib after every (re)connection, before it counts as connected; a failure reconnects with backoff. */
  private async setup(model: ChannelModel): Promise<void> {
    const reconnect = () => {
      if (!this.stopping.signal.aborted) model.close().catch(() => {});
    };
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => this.log.warn({ error: errorMessage(error) }, 'RabbitMQ closed the publishing channel'));
    channel.on('close', reconnect);
    await channel.assertExchange(this.options.exchange, 'topic', { durable: true });
    for (const route of this.options.imports) await this.consume(model, route, reconnect);
    this.channel = channel;
  }

  private async consume(model: ChannelModel, route: ImportRoute, reconnect: () => void): Promise<void> {
    const channel = await model.createChannel();
    // Stops this channel's imports when it closes: their messages come again on the next one.
    const closed = new AbortController();
    channel.on('error', (error: Error) => this.log.warn({ ...route, error: errorMessage(error) }, 'RabbitMQ closed an import channel'));
    channel.on('close', () => {
      closed.abort();
      reconnect();
    });
    await channel.prefetch(PREFETCH);
    await channel.assertQueue(route.source, { durable: true });
    const signal = AbortSignal.any([this.stopping.signal, closed.signal]);
    const importOne = async (message: ConsumeMessage) => {
      const incoming = { body: message.content, messageId: message.properties.messageId || undefined, headers: stringHeaders(message.properties.headers) };
      if (!(await importMessage(this.options, this.name, route, incoming, signal))) return;
      try {
        channel.ack(message);
      } catch {
        // The channel closed after the hub committed: RabbitMQ delivers the message again, and its dedupKey keeps the hub from a second copy.
      }
    };
    await channel.consume(route.source, (message) => {
      if (!message) {
        this.log.warn(route, 'RabbitMQ cancelled an import (its queue was deleted?); reconnecting to declare it again');
        reconnect();
        return;
      }
      const previous = this.importing.get(route.source) ?? Promise.resolve();
      this.importing.set(route.source, previous.then(() => importOne(message)).catch((error: unknown) => this.log.error({ err: error, ...route }, 'import failed')));
    });
  }
}

/** AMQP header values as strings: text as it is, bytes as UTF-8, anything else (numbers, tables, arrays) as JSON. */
function stringHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null) continue;
    strings[name] = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : JSON.stringify(value);
  }
  return strings;
}
