import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, StorageType, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../../infra/logger.js';
import type { QueuesRepository } from '../queues-repository.js';
import type { ImportRoute } from './bridge-config.js';
import { pause, retryDelay } from '../../../infra/pause.js';
import { ConnectionGate, errorMessage, type Broker, type OutgoingMessage } from './broker.js';
import { importMessage } from './queue-import.js';

export interface NatsBridgeOptions {
  /** One server or a comma list. */
  url: string;
  /** Created with subjects `<subjectPrefix>.>` (file storage) when missing; an existing stream is left as it is. */
  stream: string;
  subjectPrefix: string;
  imports: readonly ImportRoute[];
  repository: QueuesRepository;
  logger: Logger;
}

/** Messages a durable consumer hands each import at a time, and how long one may stay unacked (kept longer with `working` while a hub queue is full). */
const MAX_MESSAGES = 100;
const ACK_WAIT_MS = 60_000;
const PUBLISH_TIMEOUT_MS = 10_000;

/** The durable consumer of an import: `interchange-import-` and the subject, its wildcards spelled out. */
export function durableName(subject: string): string {
  return `interchange-import-${subject.replaceAll('*', 'STAR').replaceAll('>', 'REST').replaceAll('.', '_')}`;
}

/**
 * The NATS JetStream adapter (@nats-io/transport-node, @nats-io/jetstream). Connects (retrying
 * with backoff until the server answers, then reconnecting forever on its own), makes sure of the
 * stream, and publishes with `msgID` = the hub's id, so that JetStream drops a resend within the
 * stream's duplicate window (2 minutes by default). Each import is a durable pull consumer with
 * explicit acks, so that a message not acked (the bridge stopped, the connection dropped) is
 * delivered again; the consumer keeps its position across restarts of either side.
 */
export class NatsBridge implements Broker {
  readonly name = 'nats';
  private readonly gate = new ConnectionGate();
  private readonly stopping = new AbortController();
  private readonly log: Logger;
  private connection: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  /** The connecting loop and the imports, awaited by stop(). */
  private readonly running: Promise<void>[] = [];
  private preparing: Promise<void> | undefined;

  constructor(private readonly options: NatsBridgeOptions) {
    this.log = options.logger.child({ bridge: 'nats' });
  }

  async start(): Promise<void> {
    this.running.push(this.run());
  }

  connected(signal: AbortSignal): Promise<void> {
    return this.gate.wait(signal);
  }

  async publish(message: OutgoingMessage): Promise<void> {
    if (!this.js || !this.gate.open) throw new Error('not connected to NATS JetStream');
    const headers = natsHeaders();
    for (const [name, value] of Object.entries(message.headers)) headers.set(name, value);
    await this.js.publish(`${this.options.subjectPrefix}.${message.key}`, message.body, { msgID: message.id, headers, timeout: PUBLISH_TIMEOUT_MS });
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.gate.set(false);
    await Promise.allSettled(this.running);
    await this.connection?.close().catch(() => {});
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    for (let failures = 1; !signal.aborted && !this.connection; failures += 1) {
      try {
        this.connection = await connect({ servers: this.options.url.split(',').map((url) => url.trim()), name: 'interchange-queues-bridge', timeout: 5_000, maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
      } catch (error) {
        this.log.warn({ error: errorMessage(error), retryInMs: retryDelay(failures) }, 'connecting to NATS failed; trying again');
        await pause(retryDelay(failures), signal);
      }
    }
    // Stopped while connecting: stop() closes the connection.
    const connection = this.connection;
    if (!connection || signal.aborted) return;
    this.js = jetstream(connection);
    void this.watch(connection);
    await this.prepare();
    for (const route of this.options.imports) this.running.push(this.consume(route));
  }

  /** Closes the gate while the connection is down; after a reconnection, opens it again once the stream answers. */
  private async watch(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        this.gate.set(false);
        this.log.warn('NATS connection lost; reconnecting');
      } else if (status.type === 'reconnect') {
        this.log.info('reconnected to NATS');
        void this.prepare();
      }
    }
  }

  /** Makes sure of the stream (JetStream may need a moment after a server start), then opens the gate. */
  private prepare(): Promise<void> {
    this.preparing ??= (async () => {
      const signal = this.stopping.signal;
      for (let failures = 1; !signal.aborted; failures += 1) {
        try {
          await this.ensureStream();
          this.log.info({ stream: this.options.stream }, 'connected to NATS JetStream');
          this.gate.set(true);
          return;
        } catch (error) {
          this.log.warn({ error: errorMessage(error), retryInMs: retryDelay(failures) }, 'NATS JetStream does not answer; trying again');
          await pause(retryDelay(failures), signal);
        }
      }
    })().finally(() => {
      this.preparing = undefined;
    });
    return this.preparing;
  }

  private async ensureStream(): Promise<void> {
    const jsm = await jetstreamManager(this.connection!);
    try {
      await jsm.streams.info(this.options.stream);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
      await jsm.streams.add({ name: this.options.stream, subjects: [`${this.options.subjectPrefix}.>`], storage: StorageType.File });
      this.log.info({ stream: this.options.stream }, 'created the JetStream stream');
    }
  }

  /** One import: a durable consumer on the stream that holds the subject, its messages imported one after another. */
  private async consume(route: ImportRoute): Promise<void> {
    const signal = this.stopping.signal;
    const log = this.log.child(route);
    for (let failures = 1; !signal.aborted; ) {
      try {
        await this.gate.wait(signal);
        if (signal.aborted) return;
        const jsm = await jetstreamManager(this.connection!);
        const stream = await jsm.streams.find(route.source);
        const durable = durableName(route.source);
        await jsm.consumers.add(stream, {
          durable_name: durable,
          filter_subject: route.source,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          ack_wait: nanos(ACK_WAIT_MS),
          max_deliver: -1,
        });
        const messages = await (await this.js!.consumers.get(stream, durable)).consume({ max_messages: MAX_MESSAGES });
        const close = () => void messages.close();
        signal.addEventListener('abort', close, { once: true });
        failures = 1;
        try {
          for await (const message of messages) {
            if (await importMessage(this.options, this.name, route, incomingOf(message), signal, () => message.working())) message.ack();
          }
        } finally {
          signal.removeEventListener('abort', close);
        }
      } catch (error) {
        log.warn({ error: errorMessage(error), retryInMs: retryDelay(failures) }, 'NATS import failed; trying again');
        await pause(retryDelay(failures), signal);
        failures += 1;
      }
    }
  }
}

/** A JetStream message as the import takes it: its id is its Nats-Msg-Id, else its place in its stream (stable across redeliveries). */
function incomingOf(message: JsMsg) {
  return {
    body: message.data,
    messageId: message.headers?.get('Nats-Msg-Id') || `${message.info.stream}:${message.seq}`,
    headers: headerRecord(message.headers),
  };
}

function headerRecord(headers: MsgHdrs | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, values] of headers ?? []) record[name] = values.join(', ');
  return record;
}
