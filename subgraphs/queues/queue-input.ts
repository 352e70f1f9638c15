import { z } from 'zod';

/**
 * The rules for queue and message input. Every bad field is reported at once (BAD_USER_INPUT,
 * `extensions.fields`), named as in the input: `maxAttempts`, `inputs.3.priority`.
 */

/** Largest payload, serialised as JSON. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_HEADERS_BYTES = 16 * 1024;
/** Messages one publishMessages call may carry. */
export const MAX_BATCH = 1_000;
export const MAX_RECEIVE = 100;
export const MAX_VISIBILITY_SECONDS = 43_200;
export const MAX_DELAY_SECONDS = 86_400;

export const QUEUE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const whole = (min: number, max: number) =>
  z
    .number('must be a whole number')
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max.toLocaleString('en-US')}`)
    .max(max, `must be between ${min} and ${max.toLocaleString('en-US')}`);

export const queueName = z.string().regex(QUEUE_NAME, 'must be 1 to 63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');

const settings = {
  deliveryMode: z.enum(['AT_LEAST_ONCE', 'AT_MOST_ONCE', 'EFFECTIVELY_ONCE']),
  maxAttempts: whole(1, 100),
  backoffSeconds: whole(0, 3_600),
  maxBackoffSeconds: whole(0, 86_400),
  maxSize: whole(1, 10_000_000),
  messageTtlSeconds: whole(1, 1_209_600),
  dedupWindowSeconds: whole(1, 86_400),
};

/** null or absent: the default (on create) or unchanged (on update). */
const optionalSettings = z.object({
  deliveryMode: settings.deliveryMode.nullish(),
  maxAttempts: settings.maxAttempts.nullish(),
  backoffSeconds: settings.backoffSeconds.nullish(),
  maxBackoffSeconds: settings.maxBackoffSeconds.nullish(),
  maxSize: settings.maxSize.nullish(),
  messageTtlSeconds: settings.messageTtlSeconds.nullish(),
  dedupWindowSeconds: settings.dedupWindowSeconds.nullish(),
});

export const createQueueInput = optionalSettings.extend({
  name: queueName,
  kind: z.enum(['STANDARD', 'FIFO', 'PRIORITY']),
});

export const updateQueueInput = optionalSettings;

/** Topic and group names: a group's queue is `<topic>.<group>`, which stays within a queue name's 63 characters. */
const TOPIC_PART = /^[a-z0-9][a-z0-9_-]{0,30}$/;
const partName = z.string().regex(TOPIC_PART, 'must be 1 to 31 lower-case letters, digits, "_" or "-", starting with a letter or digit');
export const topicName = partName;
export const groupName = partName;
export const MAX_GROUPS = 50;

export const createTopicInput = z.object({
  name: topicName,
  groups: z
    .array(groupName)
    .max(MAX_GROUPS, `must have at most ${MAX_GROUPS} groups`)
    .refine((groups) => new Set(groups).size === groups.length, 'must not name a group twice')
    .nullish(),
});

export const consumerGroupInput = optionalSettings.extend({
  kind: z.enum(['STANDARD', 'FIFO', 'PRIORITY']).nullish(),
});

export const subscribeArgs = z.object({
  visibilitySeconds: whole(1, MAX_VISIBILITY_SECONDS),
  prefetch: whole(1, MAX_RECEIVE),
});

export type QueueSettings = z.output<typeof optionalSettings>;

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

const shortText = (max: number) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const publishInput = z.object({
  payload: z.unknown().refine((value) => value !== undefined && value !== null, 'is required').refine(
    (value) => jsonBytes(value) <= MAX_PAYLOAD_BYTES,
    `must be at most ${MAX_PAYLOAD_BYTES / 1024} KB as JSON`,
  ),
  headers: z
    .record(z.string(), z.string('must be a JSON object of string values'), 'must be a JSON object of string values')
    .refine((value) => jsonBytes(value) <= MAX_HEADERS_BYTES, `must be at most ${MAX_HEADERS_BYTES / 1024} KB as JSON`)
    .nullish(),
  priority: whole(0, 9).nullish(),
  delaySeconds: whole(0, MAX_DELAY_SECONDS).nullish(),
  dedupKey: shortText(128).nullish(),
  orderingKey: shortText(128).nullish(),
});

export type PublishValues = z.output<typeof publishInput>;

export const publishBatch = z
  .array(publishInput)
  .min(1, 'must have at least one message')
  .max(MAX_BATCH, `must have at most ${MAX_BATCH.toLocaleString('en-US')} messages`);

export const receiveArgs = z.object({
  max: whole(1, MAX_RECEIVE),
  visibilitySeconds: whole(1, MAX_VISIBILITY_SECONDS),
});

export const nackArgs = z.object({
  receipts: z.array(z.string()).min(1, 'must have at least one receipt').max(MAX_BATCH, `must have at most ${MAX_BATCH.toLocaleString('en-US')} receipts`),
  delaySeconds: whole(0, MAX_VISIBILITY_SECONDS).nullish(),
  error: z.string().max(2_000, 'must be at most 2,000 characters').nullish(),
  deadLetter: z.boolean().nullish(),
});

export const ackArgs = nackArgs.pick({ receipts: true });

export const replayArgs = z
  .object({
    ids: z.array(z.string()).max(MAX_BATCH, `must have at most ${MAX_BATCH.toLocaleString('en-US')} ids`).nullish(),
    all: z.boolean().nullish(),
  })
  .refine((args) => args.all === true || (args.ids != null && args.ids.length > 0), { message: 'name the dead letters to replay, or pass all: true', path: ['ids'] })
  .refine((args) => !(args.all === true && args.ids != null && args.ids.length > 0), { message: 'cannot be given with all: true', path: ['ids'] });
