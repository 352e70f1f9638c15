import { z } from 'zod';
import { QUEUE_NAME } from '../queue-input.js';

/**
 * What the broker bridges read (spread into the queues subgraph's env shape). A bridge runs when
 * its URL is set; everything else about it is optional. Lists are comma-separated, routes
 * `source=hubQueue` separated by `;`.
 */

/** `order.placed`, `order.*` (every type starting `order.`) or `*` (every type): see eventTypeMatcher. */
const EVENT_TYPE_PATTERN = /^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/;

const eventTypes = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const patterns = value.split(',').map((pattern) => pattern.trim()).filter(Boolean);
    for (const pattern of patterns) {
      if (!EVENT_TYPE_PATTERN.test(pattern)) ctx.addIssue({ code: 'custom', message: `"${pattern}" is not an event type, a prefix pattern such as order.* or *` });
    }
    return Object.freeze(patterns);
  });

const hubQueues = z
  .string()
  .default('')
  .transform((value, ctx) => {
    const names = [...new Set(value.split(',').map((name) => name.trim()).filter(Boolean))];
    for (const name of names) if (!QUEUE_NAME.test(name)) ctx.addIssue({ code: 'custom', message: `"${name}" is not a queue name` });
    return Object.freeze(names);
  });

/** One route of an import: messages of `source` (a RabbitMQ queue, a NATS subject) are published to the hub queue `hubQueue`. */
export interface ImportRoute {
  source: string;
  hubQueue: string;
}

const importRoutes = (source: RegExp, sourceName: string) =>
  z
    .string()
    .default('')
    .transform((value, ctx) => {
      const routes: ImportRoute[] = [];
      for (const entry of value.split(';').map((part) => part.trim()).filter(Boolean)) {
        const [from = '', to = '', ...rest] = entry.split('=').map((part) => part.trim());
        if (rest.length > 0 || !source.test(from) || !QUEUE_NAME.test(to)) {
          ctx.addIssue({ code: 'custom', message: `"${entry}" is not ${sourceName}=hubQueue` });
        } else if (routes.some((route) => route.source === from)) {
          ctx.addIssue({ code: 'custom', message: `${from} is routed twice` });
        } else routes.push(Object.freeze({ source: from, hubQueue: to }));
      }
      return Object.freeze(routes);
    });

/** AMQP 0-9-1 short strings; the `amq.` prefix is the broker's own. */
const RABBIT_QUEUE = /^(?!amq\.)[A-Za-z0-9._:-]{1,255}$/;
/** A NATS subject, wildcards allowed (the import's durable consumer filters on it). */
const NATS_SUBJECT = /^([A-Za-z0-9_-]+|\*)(\.([A-Za-z0-9_-]+|\*))*(\.>)?$|^>$/;

export const bridgeEnv = {
  /** With it, the RabbitMQ bridge runs: amqp://user:password@host:5672/vhost (amqps:// for TLS). */
  AMQP_URL: z.string().regex(/^amqps?:\/\/\S+$/, 'must be an amqp:// or amqps:// URL').optional(),
  /** The durable topic exchange that events (`event.<type>`) and exported queues (`queue.<name>`) are published to; declared by the bridge. */
  AMQP_EXCHANGE: z.string().regex(RABBIT_QUEUE, 'must be an exchange name (letters, digits, ".", "_", ":" or "-")').default('interchange'),
  /** Hub events mirrored to the exchange: types, `order.*` prefixes or `*`. Default: none. */
  AMQP_EVENT_TYPES: eventTypes,
  /** Hub queues whose messages are moved to the exchange (received, published with confirm, acked). */
  AMQP_EXPORT_QUEUES: hubQueues,
  /** `rabbitQueue=hubQueue;...`: durable RabbitMQ queues (declared by the bridge) consumed into hub queues. */
  AMQP_IMPORT: importRoutes(RABBIT_QUEUE, 'rabbitQueue'),
  /** With it, the NATS JetStream bridge runs: nats://host:4222 (a comma list for a cluster; user:password@ or token@ in the URL). */
  NATS_URL: z
    .string()
    .regex(/^(nats|tls|wss?):\/\/[^\s,]+(,\s*(nats|tls|wss?):\/\/[^\s,]+)*$/, 'must be a nats:// or tls:// URL (or a comma list of them)')
    .optional(),
  /** The JetStream stream that events and exported queues are published to; created (file storage) when missing. */
  NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a stream name (letters, digits, "_" or "-")').default('INTERCHANGE'),
  /** The stream's subjects are `<prefix>.>`: events on `<prefix>.event.<type>`, exported queues on `<prefix>.queue.<name>`. */
  NATS_SUBJECT_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be a subject without wildcards').default('interchange'),
  /** Hub events mirrored to JetStream, as AMQP_EVENT_TYPES. Default: none. */
  NATS_EVENT_TYPES: eventTypes,
  /** Hub queues whose messages are moved to JetStream, as AMQP_EXPORT_QUEUES. */
  NATS_EXPORT_QUEUES: hubQueues,
  /** `subject=hubQueue;...`: JetStream subjects (of any stream) read by a durable consumer into hub queues. */
  NATS_IMPORT: importRoutes(NATS_SUBJECT, 'subject'),
};

