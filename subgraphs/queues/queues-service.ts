import { badUserInput, notFound, type FieldError } from '../../infra/errors.js';
import { isUuid } from '../../infra/ids.js';
import { parseInput } from '../../infra/validation.js';
import {
  ackArgs,
  consumerGroupInput,
  createQueueInput,
  createTopicInput,
  groupName,
  nackArgs,
  publishBatch,
  publishInput,
  queueName,
  receiveArgs,
  replayArgs,
  topicName,
  updateQueueInput,
  type PublishValues,
  type QueueSettings as SettingsInput,
} from './queue-input.js';
import { receiptInvalid } from './queue-errors.js';
import type { Delivery, Receipts } from './receipts.js';
import type { MessageRow, NewMessage, QueueRow, QueueSettings, QueuesRepository, TopicGroupRow, TopicRow } from './queues-repository.js';

/** A delivered message, its receipt, and what the receipt stands for. */
export interface Received {
  receipt: string;
  message: MessageRow;
  delivery: Delivery;
}

/** The settings to write: those given, without nulls (null or absent is "the default" or "unchanged"). */
function given(settings: SettingsInput): QueueSettings {
  const { deliveryMode, maxAttempts, backoffSeconds, maxBackoffSeconds, maxSize, messageTtlSeconds, dedupWindowSeconds } = settings;
  const all: QueueSettings = { deliveryMode, maxAttempts, backoffSeconds, maxBackoffSeconds, maxSize, messageTtlSeconds, dedupWindowSeconds } as QueueSettings;
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== null && value !== undefined)) as QueueSettings;
}

const DEFAULT_BACKOFF = 1;
const DEFAULT_MAX_BACKOFF = 300;

/** maxBackoffSeconds may not be below backoffSeconds, whichever of the two the input sets. */
function backoffProblems(backoff: number, maxBackoff: number): FieldError[] {
  return maxBackoff < backoff ? [{ field: 'maxBackoffSeconds', message: `must be at least backoffSeconds (${backoff})` }] : [];
}

/** Queue operations: validate everything, then one transaction in the repository, so nothing is half-done. */
export class QueuesService {
  constructor(
    private readonly repository: QueuesRepository,
    private readonly receipts: Receipts,
  ) {}

  async create(input: object, requestId: string | null): Promise<QueueRow> {
    const values = await parseInput(createQueueInput, input, (parsed) =>
      backoffProblems(parsed.backoffSeconds ?? DEFAULT_BACKOFF, parsed.maxBackoffSeconds ?? DEFAULT_MAX_BACKOFF),
    );
    return this.repository.create({ ...given(values), name: values.name, kind: values.kind }, requestId);
  }

  async update(name: string, input: object, requestId: string | null): Promise<QueueRow> {
    const queue = await this.queue(name);
    const values = await parseInput(updateQueueInput, input, (parsed) =>
      backoffProblems(parsed.backoffSeconds ?? queue.backoffSeconds, parsed.maxBackoffSeconds ?? queue.maxBackoffSeconds),
    );
    const patch = given(values);
    const row = Object.keys(patch).length > 0 ? await this.repository.update(name, patch, requestId) : queue;
    if (!row) throw notFound('Queue', name);
    return row;
  }

  async delete(name: string, requestId: string | null): Promise<boolean> {
    if (!(await this.repository.delete(name, requestId))) throw notFound('Queue', name);
    return true;
  }

  async purge(name: string, requestId: string | null): Promise<number> {
    const purged = await this.repository.purge(name, requestId);
    if (purged === undefined) throw notFound('Queue', name);
    return purged;
  }

  async publish(name: string, inputs: readonly unknown[], batch: boolean, _requestId: string | null): Promise<MessageRow[]> {
    const queue = await this.queue(name);
    const messages = await this.newMessages(inputs, batch, queue.kind === 'FIFO');
    const published = await this.repository.publish(queue.name, messages, null);
    if (!published) throw notFound('Queue', name);
    return published;
  }

  /** Copies of the messages for every group of the topic, all or none (an orderingKey is required if any group's queue is FIFO). */
  async publishToTopic(name: string, inputs: readonly unknown[]): Promise<MessageRow[]> {
    const [topic] = topicName.safeParse(name).success ? await this.repository.findTopicsByNames([name]) : [];
    if (!topic) throw notFound('Topic', name);
    const groups = await this.repository.groupsOf([topic.id]);
    const queues = await this.repository.findByIds(groups.map((group) => group.queueId));
    const messages = await this.newMessages(inputs, true, queues.some((queue) => queue.kind === 'FIFO'));
    const published = await this.repository.publishToTopic(topic.name, messages);
    if (!published) throw notFound('Topic', name);
    return published;
  }

  async createTopic(input: object, requestId: string | null): Promise<TopicRow> {
    const values = await parseInput(createTopicInput, input);
    return this.repository.createTopic(values.name, (values.groups ?? []).map((group) => ({ name: group, queue: { kind: 'STANDARD' } })), requestId);
  }

  async deleteTopic(name: string, requestId: string | null): Promise<boolean> {
    if (!(await this.repository.deleteTopic(name, requestId))) throw notFound('Topic', name);
    return true;
  }

  async addGroup(topic: string, group: string, input: object | null | undefined, requestId: string | null): Promise<TopicGroupRow> {
    const values = await parseInput(consumerGroupInput.extend({ group: groupName }), { ...input, group }, (parsed) =>
      backoffProblems(parsed.backoffSeconds ?? DEFAULT_BACKOFF, parsed.maxBackoffSeconds ?? DEFAULT_MAX_BACKOFF),
    );
    const row = await this.repository.addGroup(topic, values.group, { ...given(values), kind: values.kind ?? 'STANDARD' }, requestId);
    if (!row) throw notFound('Topic', topic);
    return row;
  }

  async removeGroup(topic: string, group: string, requestId: string | null): Promise<boolean> {
    if (!(await this.repository.removeGroup(topic, group, requestId))) throw notFound('ConsumerGroup', `${topic}/${group}`);
    return true;
  }

  /** The queue a consumer reads: `name` itself, or with `group` the queue of that group of topic `name`. */
  async consumerQueue(name: string, group: string | null | undefined): Promise<QueueRow> {
    if (group == null) return this.queue(name);
    const queue = await this.repository.groupQueue(name, group);
    if (!queue) throw notFound('ConsumerGroup', `${name}/${group}`);
    return queue;
  }

  /** Validated messages; a batch's bad fields are named `inputs.<index>.<field>`. */
  private async newMessages(inputs: readonly unknown[], batch: boolean, fifo: boolean): Promise<NewMessage[]> {
    const fieldOf = (index: number, field: string) => (batch ? `inputs.${index}.${field}` : field);
    const orderingKeys = (parsed: unknown): FieldError[] => {
      if (!fifo) return [];
      const list = (batch ? parsed : [parsed]) as unknown[];
      if (!Array.isArray(list)) return [];
      return list.flatMap((item, index) =>
        item && typeof item === 'object' && (item as { orderingKey?: unknown }).orderingKey ? [] : [{ field: fieldOf(index, 'orderingKey'), message: 'is required on a FIFO queue' }],
      );
    };
    const values: PublishValues[] = batch
      ? await parseInput(publishBatch, inputs, orderingKeys, 'inputs.').catch((error: unknown) => {
          throw renamed(error);
        })
      : [await parseInput(publishInput, inputs[0], orderingKeys)];
    return values.map((value) => ({
      payload: value.payload,
      headers: value.headers ?? null,
      priority: value.priority ?? 0,
      delaySeconds: value.delaySeconds ?? 0,
      dedupKey: value.dedupKey ?? null,
      orderingKey: value.orderingKey ?? null,
    }));
  }

  async receive(name: string, max: number, visibilitySeconds: number, requestId: string | null): Promise<Received[]> {
    const args = await parseInput(receiveArgs, { max, visibilitySeconds });
    return this.claim(await this.queue(name), args.max, args.visibilitySeconds, requestId);
  }

  /** receive() for a queue already found and arguments already checked. */
  async claim(queue: QueueRow, max: number, visibilitySeconds: number, requestId: string | null): Promise<Received[]> {
    const received = await this.repository.receive(queue, max, visibilitySeconds, requestId);
    return received.map(({ message, delivery }) => ({ receipt: this.receipts.issue(delivery), message, delivery }));
  }

  async ack(receipts: readonly string[]): Promise<number> {
    const args = await parseInput(ackArgs, { receipts });
    return this.repository.ack(this.open(args.receipts));
  }

  async nack(
    receipts: readonly string[],
    options: { delaySeconds?: number | null; error?: string | null; deadLetter?: boolean | null },
    requestId: string | null,
  ): Promise<number> {
    const args = await parseInput(nackArgs, { receipts, ...options });
    return this.repository.nack(this.open(args.receipts), args.delaySeconds ?? null, args.error?.trim() || 'nacked', requestId, args.deadLetter ?? false);
  }

  async replay(name: string, ids: readonly string[] | null | undefined, all: boolean | null | undefined, requestId: string | null): Promise<number> {
    const args = await parseInput(replayArgs, { ids, all }, () =>
      (ids ?? []).flatMap((id, index) => (isUuid(id) ? [] : [{ field: `ids.${index}`, message: 'is not a message id' }])),
    );
    const replayed = await this.repository.replay(name, args.all ? null : (args.ids ?? []), requestId);
    if (replayed === undefined) throw notFound('Queue', name);
    return replayed;
  }

  /** The queue by name; NOT_FOUND for an unknown (or malformed) name. */
  private async queue(name: string): Promise<QueueRow> {
    const [queue] = queueName.safeParse(name).success ? await this.repository.findByNames([name]) : [];
    if (!queue) throw notFound('Queue', name);
    return queue;
  }

  /** Each receipt's delivery, repeats dropped; RECEIPT_INVALID (and nothing done) if any is not ours. */
  private open(receipts: readonly string[]): Delivery[] {
    const deliveries = new Map<string, Delivery>();
    const invalid: number[] = [];
    receipts.forEach((receipt, index) => {
      const delivery = this.receipts.open(receipt);
      if (delivery) deliveries.set(receipt, delivery);
      else invalid.push(index);
    });
    if (invalid.length > 0) throw receiptInvalid(invalid);
    return [...deliveries.values()];
  }
}

/** parseInput names batch fields `inputs.<index>.<field>` already; a whole-batch error (too many) names `inputs`. */
function renamed(error: unknown): unknown {
  const fields = (error as { extensions?: { fields?: FieldError[] } }).extensions?.fields;
  if (!fields) return error;
  return badUserInput(fields.map((field) => (field.field === 'inputs.' ? { ...field, field: 'inputs' } : field)));
}
