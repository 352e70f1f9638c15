import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { QueueRow, MessageRow, TopicRow, TopicGroupRow } from '../queues-repository.js';
import type { Connection } from '../../../infra/db/pagination.js';
import type { Received } from '../queues-service.js';
import type { EndpointRow, DeliveryRow, AttemptRow } from '../webhooks/webhooks-repository.js';
import type { EndpointWithSecret } from '../webhooks/webhooks-service.js';
import type { SourceRow, InboundWebhookRow } from '../inbound/inbound-repository.js';
import type { CreatedSource } from '../inbound/inbound-service.js';
import type { DomainEvent } from '../../../infra/events/event.js';
import type { PollSourceView } from '../polling/index.js';
import type { ImportJobRow, ImportFileRow, ReportedRow } from '../imports/index.js';
import type { QueuesContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO 8601 date and time in UTC, e.g. 2026-11-27T08:15:00.000Z. */
  DateTime: { input: Date | string; output: Date | string; }
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type ConsumerGroup = {
  __typename?: 'ConsumerGroup';
  name: Scalars['String']['output'];
  /** The group's own queue, named `<topic>.<group>`: receive from it, or subscribe with queueMessages(queue: topic, group). */
  queue: Queue;
};

/** The group's queue: its kind and settings (the defaults of createQueue when not given). */
export type ConsumerGroupInput = {
  backoffSeconds?: InputMaybe<Scalars['Int']['input']>;
  dedupWindowSeconds?: InputMaybe<Scalars['Int']['input']>;
  deliveryMode?: InputMaybe<DeliveryMode>;
  /** Defaults to STANDARD. */
  kind?: InputMaybe<QueueKind>;
  maxAttempts?: InputMaybe<Scalars['Int']['input']>;
  maxBackoffSeconds?: InputMaybe<Scalars['Int']['input']>;
  maxSize?: InputMaybe<Scalars['Int']['input']>;
  messageTtlSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateInboundWebhookSourceInput = {
  /** Defaults to true. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  name: Scalars['String']['input'];
  /** An existing queue to publish each accepted webhook to. */
  queue?: InputMaybe<Scalars['String']['input']>;
  scheme: InboundWebhookScheme;
  /** The sender's signing secret; when absent the hub makes one (whsec_…, for STANDARD_WEBHOOKS a base64 key) and returns it once. */
  secret?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 86,400; defaults to 300 (5 minutes). */
  toleranceSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type CreateQueueInput = {
  /** 0 to 3,600; defaults to 1. */
  backoffSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** 1 to 86,400; defaults to 300 (5 minutes). */
  dedupWindowSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** Defaults to AT_LEAST_ONCE. */
  deliveryMode?: InputMaybe<DeliveryMode>;
  kind: QueueKind;
  /** 1 to 100; defaults to 5. */
  maxAttempts?: InputMaybe<Scalars['Int']['input']>;
  /** 0 to 86,400, at least backoffSeconds; defaults to 300. */
  maxBackoffSeconds?: InputMaybe<Scalars['Int']['input']>;
  /** 1 to 10,000,000; defaults to 100,000. */
  maxSize?: InputMaybe<Scalars['Int']['input']>;
  /** 1 to 1,209,600 (14 days); defaults to 345,600 (4 days). */
  messageTtlSeconds?: InputMaybe<Scalars['Int']['input']>;
  name: Scalars['String']['input'];
};

export type CreateTopicInput = {
  /** Groups to create with it, each with a STANDARD queue of the default settings. */
  groups?: InputMaybe<Array<Scalars['String']['input']>>;
  name: Scalars['String']['input'];
};

export type CreateWebhookEndpointInput = {
  /** At most 500 characters. */
  description?: InputMaybe<Scalars['String']['input']>;
  /** Defaults to true. */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** At least one; `order.*` matches a prefix, `*` every type. */
  eventTypes: Array<Scalars['String']['input']>;
  /** 1 to 100 requests in flight; defaults to 4. */
  maxConcurrency?: InputMaybe<Scalars['Int']['input']>;
  /** 1 to 10,000 requests per second; null or absent: no limit. */
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  /** 1 to 20 delays of 0 to 86,400 seconds; defaults to [1, 5, 15, 60, 300]. */
  retrySchedule?: InputMaybe<Array<Scalars['Int']['input']>>;
  url: Scalars['String']['input'];
};

/** A new source and its secret: the only time the hub shows it. */
export type CreatedInboundWebhookSource = {
  __typename?: 'CreatedInboundWebhookSource';
  secret: Scalars['String']['output'];
  source: InboundWebhookSource;
};

export type DeliveryMode =
  /** A received message stays hidden until acked; a nack or a visibility timeout redelivers it. */
  | 'AT_LEAST_ONCE'
  /** A received message is done at once and never redelivered, acked or not. */
  | 'AT_MOST_ONCE'
  /**
   * Delivered as AT_LEAST_ONCE; the consumer applies each message with its id as the idempotency
   * key, in the same transaction as its effect, so a redelivery changes nothing. The hub's
   * processors do (see the README); an external consumer must do the same with the message id.
   */
  | 'EFFECTIVELY_ONCE';

export type ImportColumnMapping = {
  __typename?: 'ImportColumnMapping';
  column: Scalars['String']['output'];
  field: Scalars['String']['output'];
};

/** A file column and the field it fills (the field's name as in the import mutations' inputs, e.g. `email`, `orderKey`). */
export type ImportColumnMappingInput = {
  column: Scalars['String']['input'];
  field: Scalars['String']['input'];
};

/** The character encoding of an import file. */
export type ImportEncoding =
  /** ISO 8859-1. */
  | 'LATIN1'
  /** UTF-8, with or without a byte order mark. */
  | 'UTF8';

/** A reported row: the row number counts the header as row 1, as a spreadsheet shows it. */
export type ImportError = {
  __typename?: 'ImportError';
  code: Scalars['String']['output'];
  /** The file's column, when one is at fault. */
  column: Maybe<Scalars['String']['output']>;
  field: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
  row: Scalars['Int']['output'];
};

export type ImportErrorConnection = {
  __typename?: 'ImportErrorConnection';
  edges: Array<ImportErrorEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ImportErrorEdge = {
  __typename?: 'ImportErrorEdge';
  cursor: Scalars['String']['output'];
  node: ImportError;
};

/** What an import does with a bad row. */
export type ImportErrorPolicy =
  /** Reports every bad row and writes the others. */
  | 'SKIP'
  /** Writes the rows before the first bad row, reports that row, and stops. */
  | 'STOP';

export type ImportFailure = {
  __typename?: 'ImportFailure';
  /** IMPORT_FILE_INVALID, IMPORT_STOPPED or DEPENDENCY_UNAVAILABLE. */
  code: Scalars['String']['output'];
  message: Scalars['String']['output'];
  /** The row it happened at, when there is one. */
  row: Maybe<Scalars['Int']['output']>;
};

/** An uploaded file (POST /imports/files), kept for IMPORT_FILE_RETENTION_HOURS so that it can be imported several times (validated first, then imported). */
export type ImportFile = {
  __typename?: 'ImportFile';
  bytes: Scalars['Float']['output'];
  createdAt: Scalars['DateTime']['output'];
  fileName: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
};

/**
 * An import, run in the background by the queues subgraph: the rows go to the customers or orders
 * subgraph through the router in batches, each with its own idempotency key, so a job resumed
 * after a restart neither loses nor repeats a batch.
 */
export type ImportJob = {
  __typename?: 'ImportJob';
  createdAt: Scalars['DateTime']['output'];
  /** Who started it. */
  createdBy: Scalars['String']['output'];
  /** The reported rows, in row order. */
  errors: ImportErrorConnection;
  /** Set when the status is FAILED. */
  failure: Maybe<ImportFailure>;
  file: Maybe<ImportFile>;
  finishedAt: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  kind: ImportKind;
  options: ImportOptions;
  /** GET this path on the router (with the same credentials) for the report as CSV. */
  reportPath: Scalars['String']['output'];
  /** Rows inserted or updated (with VALIDATE_ONLY: rows that would be). */
  rowsImported: Scalars['Int']['output'];
  rowsInserted: Scalars['Int']['output'];
  /** Rows of the file after the header handled so far (imported, unchanged or rejected). */
  rowsRead: Scalars['Int']['output'];
  rowsRejected: Scalars['Int']['output'];
  /** Rows equal to what was stored: nothing written, no event. */
  rowsUnchanged: Scalars['Int']['output'];
  rowsUpdated: Scalars['Int']['output'];
  startedAt: Maybe<Scalars['DateTime']['output']>;
  status: ImportStatus;
};


/**
 * An import, run in the background by the queues subgraph: the rows go to the customers or orders
 * subgraph through the router in batches, each with its own idempotency key, so a job resumed
 * after a restart neither loses nor repeats a batch.
 */
export type ImportJobErrorsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** What an import file holds. */
export type ImportKind =
  /** One customer per row, upserted by externalId. */
  | 'CUSTOMERS'
  /** One order line per row; adjacent rows with the same order key are one order. */
  | 'ORDERS';

/** How an import writes its rows. */
export type ImportMode =
  /** Creates every row; a row whose key already exists is rejected (CONFLICT). */
  | 'INSERT'
  /** Creates a row, or updates the one with its key; a row equal to what is stored is left alone and emits no event. */
  | 'UPSERT'
  /** Checks every row by the same rules, against the database, and writes nothing. */
  | 'VALIDATE_ONLY';

export type ImportOptions = {
  __typename?: 'ImportOptions';
  /** The columns read and the fields they fill, as resolved from the header. */
  columns: Array<ImportColumnMapping>;
  delimiter: Scalars['String']['output'];
  encoding: ImportEncoding;
  /** Header columns that fill no field. */
  ignoredColumns: Array<Scalars['String']['output']>;
  mode: ImportMode;
  onError: ImportErrorPolicy;
};

export type ImportOptionsInput = {
  /** One character; `\t` for tab-separated files. */
  delimiter?: InputMaybe<Scalars['String']['input']>;
  encoding?: InputMaybe<ImportEncoding>;
  /**
   * Columns whose header differs from the field's name. A column not named here fills the field
   * whose name equals its header, ignoring case, spaces, `_` and `-`; other columns are ignored.
   */
  mapping?: InputMaybe<Array<ImportColumnMappingInput>>;
  mode?: InputMaybe<ImportMode>;
  onError?: InputMaybe<ImportErrorPolicy>;
};

export type ImportStatus =
  | 'CANCELLED'
  /** Stopped by a bad row (onError STOP) or by a file that cannot be read; `failure` says why. */
  | 'FAILED'
  /** Waiting for a worker. */
  | 'QUEUED'
  | 'RUNNING'
  /** Every row was read; rowsRejected says how many were refused. */
  | 'SUCCEEDED';

/** A webhook the hub accepted (signature verified), as it was received. */
export type InboundWebhook = {
  __typename?: 'InboundWebhook';
  body: Scalars['JSON']['output'];
  /** The hub event it became: inbound.<source>.<type>. */
  eventType: Scalars['String']['output'];
  /** The request's headers, without the signature and the hub's own. */
  headers: Scalars['JSON']['output'];
  id: Scalars['ID']['output'];
  receivedAt: Scalars['DateTime']['output'];
  /** The source's name. */
  source: Scalars['String']['output'];
  /** The body's type, or `unknown`. */
  type: Scalars['String']['output'];
  /** webhook-id (Standard Webhooks) or the body's id (Stripe-style): unique per source. */
  webhookId: Scalars['String']['output'];
};

export type InboundWebhookConnection = {
  __typename?: 'InboundWebhookConnection';
  edges: Array<InboundWebhookEdge>;
  pageInfo: PageInfo;
  /** All the source's stored webhooks, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type InboundWebhookEdge = {
  __typename?: 'InboundWebhookEdge';
  cursor: Scalars['String']['output'];
  node: InboundWebhook;
};

/** An accepted webhook as its hub event: pass `id` as `after` to resume without a gap. */
export type InboundWebhookEvent = {
  __typename?: 'InboundWebhookEvent';
  /** The event's id. */
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  /** The request that delivered it (the router's request id, also in its audit record). */
  requestId: Maybe<Scalars['String']['output']>;
  /** inbound.<source>.<type> */
  type: Scalars['String']['output'];
  /** The stored webhook; null once its source has been deleted. */
  webhook: Maybe<InboundWebhook>;
};

/** How many of a source's requests were refused with one code (WEBHOOK_SIGNATURE_INVALID, PAYLOAD_TOO_LARGE, ...). */
export type InboundWebhookRejections = {
  __typename?: 'InboundWebhookRejections';
  count: Scalars['Int']['output'];
  reason: Scalars['String']['output'];
};

/** How an inbound webhook source signs its requests. */
export type InboundWebhookScheme =
  /** Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256, base64) with a whsec_ secret. */
  | 'STANDARD_WEBHOOKS'
  /** Stripe-style: Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">; the webhook id is the body's id. */
  | 'STRIPE';

/** A sender the hub accepts webhooks from, at POST /webhooks/<name> on the router. */
export type InboundWebhookSource = {
  __typename?: 'InboundWebhookSource';
  /** Webhooks stored (duplicates not included). */
  accepted: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Redeliveries of a webhook id already stored: answered 200 and not processed again. */
  duplicates: Scalars['Int']['output'];
  /** A disabled source's requests are refused (404 WEBHOOK_SOURCE_DISABLED). */
  enabled: Scalars['Boolean']['output'];
  id: Scalars['ID']['output'];
  /** Lower-case letters, digits and `_`; in the URL and in the events' type (inbound.<name>.<type>). */
  name: Scalars['String']['output'];
  /** The path to POST to on the router: /webhooks/<name>. */
  path: Scalars['String']['output'];
  /** The queue each accepted webhook is also published to, for a processor; null without a route. */
  queue: Maybe<Scalars['String']['output']>;
  /** Refused requests by code, the codes in name order. */
  rejected: Array<InboundWebhookRejections>;
  scheme: InboundWebhookScheme;
  /** How far in the past or future a signature's timestamp may be, in seconds. */
  toleranceSeconds: Scalars['Int']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type MessageError = {
  __typename?: 'MessageError';
  at: Scalars['DateTime']['output'];
  /** The delivery that failed: 1 for the first. */
  attempt: Scalars['Int']['output'];
  /** The consumer's error (nack), or `visibility timeout`. */
  error: Scalars['String']['output'];
};

/** Where a message is. AVAILABLE and DELAYED are waiting; DONE messages are kept for the queue's dedup window. */
export type MessageState =
  /** Deliverable now. */
  | 'AVAILABLE'
  /** Failed maxAttempts times: a dead letter, until replayed or purged. */
  | 'DEAD'
  /** Waiting for its delaySeconds or its retry backoff to pass. */
  | 'DELAYED'
  /** Acked, or received from an AT_MOST_ONCE queue. */
  | 'DONE'
  /** Received and hidden until its visibility ends. */
  | 'IN_FLIGHT';

export type Mutation = {
  __typename?: 'Mutation';
  /**
   * Marks the messages done. All or none: a receipt whose visibility has ended is RECEIPT_EXPIRED,
   * one this hub did not issue RECEIPT_INVALID. Acking a receipt again is not an error.
   */
  ackMessages: Scalars['Int']['output'];
  /** Adds a consumer group: it receives what is published to the topic from now on. */
  addConsumerGroup: ConsumerGroup;
  /** Stops the job after the batch in flight (already imported rows stay). A finished job is answered as it is. */
  cancelImport: ImportJob;
  createInboundWebhookSource: CreatedInboundWebhookSource;
  createQueue: Queue;
  /** Creates a topic, and its groups' queues, in one transaction. */
  createTopic: Topic;
  /** Creates the endpoint and its queue; answers its secret, which is not shown again. */
  createWebhookEndpoint: WebhookEndpointSecret;
  /** Deletes the source with its stored webhooks and counters; their events stay. */
  deleteInboundWebhookSource: Scalars['Boolean']['output'];
  /** Deletes the queue and every message in it. */
  deleteQueue: Scalars['Boolean']['output'];
  /** Deletes the topic with its groups' queues and their messages. */
  deleteTopic: Scalars['Boolean']['output'];
  /** Deletes the endpoint with its queue, deliveries and attempts. */
  deleteWebhookEndpoint: Scalars['Boolean']['output'];
  /**
   * Gives the messages back: each failed attempt is recorded with `error`; the message is
   * redelivered after `delaySeconds` (0 to 43,200) or else the queue's backoff, or becomes a dead
   * letter after its last attempt, or at once with `deadLetter: true` (a message that can never
   * succeed: a payload that fails validation). All or none, with the errors of ackMessages.
   */
  nackMessages: Scalars['Int']['output'];
  /** Runs a round of the source now and answers it when the round has ended (a failed round shows in lastError). NOT_FOUND for an unknown name. */
  pollSourceNow: PollSource;
  publishMessage: QueueMessage;
  /** At most 1,000 messages; all are published or none (a bad one is BAD_USER_INPUT naming `inputs.<index>.<field>`). */
  publishMessages: Array<QueueMessage>;
  /**
   * Publishes each message to every group of the topic, all or none (one full group queue is
   * QUEUE_FULL and nothing is published). Answers the copies, group by group in name order.
   * A topic without groups keeps nothing.
   */
  publishToTopic: Array<QueueMessage>;
  /** Deletes every message of the queue, dead letters included; answers how many. */
  purgeQueue: Scalars['Int']['output'];
  /**
   * Up to `max` (1 to 100) deliverable messages, each hidden from other consumers for
   * `visibilitySeconds` (1 to 43,200) unless the queue is AT_MOST_ONCE. Answers at once, possibly
   * with none.
   */
  receiveMessages: Array<ReceivedMessage>;
  /** Removes a group with its queue and the messages in it. */
  removeConsumerGroup: Scalars['Boolean']['output'];
  /** Makes dead letters available again with their attempts reset: those in `ids`, or all with `all: true`. Answers how many. */
  replayDeadLetters: Scalars['Int']['output'];
  /** Sends a delivery again (the same webhook-id), whatever its status. */
  replayWebhookDelivery: WebhookDelivery;
  /** Sends again, in the order they were created, the endpoint's deliveries created from `since` up to `until` (default now). Answers how many. */
  replayWebhookEndpoint: Scalars['Int']['output'];
  /** A new secret, answered once; the previous one keeps signing beside it (a second v1 signature) for 24 hours. */
  rotateWebhookSecret: WebhookEndpointSecret;
  /**
   * Starts importing a file uploaded with POST /imports/files. Answers at once with the QUEUED job;
   * a file that is not CSV or whose header lacks a required column is refused here
   * (IMPORT_FILE_INVALID, IMPORT_COLUMNS_INVALID). Needs customers:write for CUSTOMERS and orders:write for ORDERS.
   */
  startImport: ImportJob;
  updateInboundWebhookSource: InboundWebhookSource;
  updateQueue: Queue;
  updateWebhookEndpoint: WebhookEndpoint;
};


export type MutationAckMessagesArgs = {
  receipts: Array<Scalars['String']['input']>;
};


export type MutationAddConsumerGroupArgs = {
  group: Scalars['String']['input'];
  input?: InputMaybe<ConsumerGroupInput>;
  topic: Scalars['String']['input'];
};


export type MutationCancelImportArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateInboundWebhookSourceArgs = {
  input: CreateInboundWebhookSourceInput;
};


export type MutationCreateQueueArgs = {
  input: CreateQueueInput;
};


export type MutationCreateTopicArgs = {
  input: CreateTopicInput;
};


export type MutationCreateWebhookEndpointArgs = {
  input: CreateWebhookEndpointInput;
};


export type MutationDeleteInboundWebhookSourceArgs = {
  name: Scalars['String']['input'];
};


export type MutationDeleteQueueArgs = {
  name: Scalars['String']['input'];
};


export type MutationDeleteTopicArgs = {
  name: Scalars['String']['input'];
};


export type MutationDeleteWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};


export type MutationNackMessagesArgs = {
  deadLetter?: InputMaybe<Scalars['Boolean']['input']>;
  delaySeconds?: InputMaybe<Scalars['Int']['input']>;
  error?: InputMaybe<Scalars['String']['input']>;
  receipts: Array<Scalars['String']['input']>;
};


export type MutationPollSourceNowArgs = {
  name: Scalars['String']['input'];
};


export type MutationPublishMessageArgs = {
  input: PublishMessageInput;
  queue: Scalars['String']['input'];
};


export type MutationPublishMessagesArgs = {
  inputs: Array<PublishMessageInput>;
  queue: Scalars['String']['input'];
};


export type MutationPublishToTopicArgs = {
  inputs: Array<PublishMessageInput>;
  topic: Scalars['String']['input'];
};


export type MutationPurgeQueueArgs = {
  name: Scalars['String']['input'];
};


export type MutationReceiveMessagesArgs = {
  max?: InputMaybe<Scalars['Int']['input']>;
  queue: Scalars['String']['input'];
  visibilitySeconds?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationRemoveConsumerGroupArgs = {
  group: Scalars['String']['input'];
  topic: Scalars['String']['input'];
};


export type MutationReplayDeadLettersArgs = {
  all?: InputMaybe<Scalars['Boolean']['input']>;
  ids?: InputMaybe<Array<Scalars['ID']['input']>>;
  queue: Scalars['String']['input'];
};


export type MutationReplayWebhookDeliveryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationReplayWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
  since: Scalars['DateTime']['input'];
  until?: InputMaybe<Scalars['DateTime']['input']>;
};


export type MutationRotateWebhookSecretArgs = {
  id: Scalars['ID']['input'];
};


export type MutationStartImportArgs = {
  fileId: Scalars['ID']['input'];
  kind: ImportKind;
  options?: InputMaybe<ImportOptionsInput>;
};


export type MutationUpdateInboundWebhookSourceArgs = {
  input: UpdateInboundWebhookSourceInput;
  name: Scalars['String']['input'];
};


export type MutationUpdateQueueArgs = {
  input: UpdateQueueInput;
  name: Scalars['String']['input'];
};


export type MutationUpdateWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
  input: UpdateWebhookEndpointInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  /** Pass as `after` to read the next page. */
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

/** An item of a polling source that was not applied; it does not hold up the watermark. */
export type PollRejection = {
  __typename?: 'PollRejection';
  at: Scalars['DateTime']['output'];
  /** null when the item has none (that is the reason). */
  externalId: Maybe<Scalars['String']['output']>;
  /** The mapping problem, or the API's code and message. */
  reason: Scalars['String']['output'];
  /** The item's watermark field; null when it has none. */
  watermark: Maybe<Scalars['String']['output']>;
};

/**
 * A REST source the hub polls for changed customers (POLL_SOURCES): each round reads pages of items
 * changed since the watermark and upserts them by externalId through the router.
 */
export type PollSource = {
  __typename?: 'PollSource';
  intervalSeconds: Scalars['Int']['output'];
  /** Items applied through upsertCustomerByExternalId, since the source was first polled. */
  itemsApplied: Scalars['Int']['output'];
  /** Items whose mapping failed or that the API refused (BAD_USER_INPUT, CONFLICT). */
  itemsRejected: Scalars['Int']['output'];
  /** Items read again whose mapped fields had not changed since they were applied: not sent. */
  itemsUnchanged: Scalars['Int']['output'];
  /** Why the last round stopped early (the source or the router failed, no progress); null when it succeeded. */
  lastError: Maybe<Scalars['String']['output']>;
  /** When the last round started. */
  lastRunAt: Maybe<Scalars['DateTime']['output']>;
  /** When a round last read every page to the end. */
  lastSuccessAt: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** When the next scheduled round is due (backed off after failed rounds). */
  nextRunAt: Maybe<Scalars['DateTime']['output']>;
  /** The latest 20 rejected items, newest first. */
  recentRejections: Array<PollRejection>;
  /** The source's URL: scheme, host and path (a query string shows as `?(hidden)`). */
  url: Scalars['String']['output'];
  /** The greatest watermark value of the last committed page, as the source wrote it; null: none yet (the next round starts at initialWatermark, or the beginning). */
  watermark: Maybe<Scalars['String']['output']>;
};

export type PublishMessageInput = {
  /** Within the queue's dedup window, a publish with the same key returns the first message and adds nothing. */
  dedupKey?: InputMaybe<Scalars['String']['input']>;
  /** 0 to 86,400: not delivered before this many seconds have passed. */
  delaySeconds?: InputMaybe<Scalars['Int']['input']>;
  /** A JSON object of string values, at most 16 KB serialised. */
  headers?: InputMaybe<Scalars['JSON']['input']>;
  /** Required on a FIFO queue (its messages are delivered in order per key); kept but not used by the other kinds. */
  orderingKey?: InputMaybe<Scalars['String']['input']>;
  /** Any JSON value, at most 256 KB serialised. */
  payload: Scalars['JSON']['input'];
  /** 0 to 9, higher first on a PRIORITY queue; defaults to 0. */
  priority?: InputMaybe<Scalars['Int']['input']>;
};

export type Query = {
  __typename?: 'Query';
  /** Needs the write scope of the job's kind (customers:write or orders:write). */
  importJob: Maybe<ImportJob>;
  /** The caller's visible jobs, newest first: those of the kinds it may write. `first` is at most 100. */
  importJobs: Array<ImportJob>;
  /** Every inbound webhook source, by name, with its counters. */
  inboundWebhookSources: Array<InboundWebhookSource>;
  /** A source's accepted webhooks, newest first. `first` is at most 100. */
  inboundWebhooks: InboundWebhookConnection;
  /** The configured polling sources, by name. */
  pollSources: Array<PollSource>;
  queue: Maybe<Queue>;
  /** Every queue, by name. */
  queues: Array<Queue>;
  topic: Maybe<Topic>;
  /** Every topic, by name. */
  topics: Array<Topic>;
  /** An endpoint's deliveries, newest first, optionally in one status. `first` is at most 100. */
  webhookDeliveries: WebhookDeliveryConnection;
  webhookEndpoint: Maybe<WebhookEndpoint>;
  /** Every webhook endpoint, oldest first. `health:read` may list them too (the health subgraph watches them), without their `url` and `description` (`admin` only); their `queue` needs `queues:read`. */
  webhookEndpoints: Array<WebhookEndpoint>;
};


export type QueryImportJobArgs = {
  id: Scalars['ID']['input'];
};


export type QueryImportJobsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryInboundWebhooksArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  source: Scalars['String']['input'];
};


export type QueryQueueArgs = {
  name: Scalars['String']['input'];
};


export type QueryTopicArgs = {
  name: Scalars['String']['input'];
};


export type QueryWebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  endpointId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<WebhookDeliveryStatus>;
};


export type QueryWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};

/** A durable message queue in the hub's PostgreSQL. Counts leave out expired messages. */
export type Queue = {
  __typename?: 'Queue';
  createdAt: Scalars['DateTime']['output'];
  deadLetters: Scalars['Int']['output'];
  /** A publish with a dedupKey seen within this window returns the first message and adds nothing. */
  dedupWindowSeconds: Scalars['Int']['output'];
  /** Messages waiting for their delay (not retries: see failed). */
  delayed: Scalars['Int']['output'];
  deliveryMode: DeliveryMode;
  /** Messages deliverable now. */
  depth: Scalars['Int']['output'];
  /** Messages that failed at least one attempt and wait for their retry. */
  failed: Scalars['Int']['output'];
  /** Messages received and not yet acked, nacked or timed out. */
  inFlight: Scalars['Int']['output'];
  kind: QueueKind;
  /** Messages waiting or in flight at most; publishing beyond it is QUEUE_FULL. */
  maxSize: Scalars['Int']['output'];
  /** A message not delivered within this is never delivered. */
  messageTtlSeconds: Scalars['Int']['output'];
  /** The queue's messages, newest first, optionally in one state. `first` is at most 100. */
  messages: QueueMessageConnection;
  /** Lower-case letters, digits, `.`, `_` and `-`; up to 63 characters, starting with a letter or digit. */
  name: Scalars['String']['output'];
  /** Age of the oldest message not yet done or dead; 0 when there is none. */
  oldestAgeSeconds: Scalars['Int']['output'];
  /** Messages acked (or received, on an AT_MOST_ONCE queue) over the last minute. */
  processedPerMinute: Scalars['Int']['output'];
  /** Messages published over the last minute. */
  publishedPerMinute: Scalars['Int']['output'];
  retryPolicy: RetryPolicy;
  updatedAt: Scalars['DateTime']['output'];
};


/** A durable message queue in the hub's PostgreSQL. Counts leave out expired messages. */
export type QueueMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  state?: InputMaybe<MessageState>;
};

/** How a queue orders what it delivers. */
export type QueueKind =
  /** Strict order per orderingKey: one message of a key in flight at a time, other keys in parallel. */
  | 'FIFO'
  /** Higher priority (0 to 9) first; oldest first within a priority. */
  | 'PRIORITY'
  /** At-least-once delivery in no particular order; the most throughput. */
  | 'STANDARD';

export type QueueMessage = {
  __typename?: 'QueueMessage';
  /** Deliveries so far. */
  attempts: Scalars['Int']['output'];
  /** When it becomes (or became) deliverable; for an IN_FLIGHT message, when its visibility ends. */
  availableAt: Scalars['DateTime']['output'];
  createdAt: Scalars['DateTime']['output'];
  dedupKey: Maybe<Scalars['String']['output']>;
  /** Every failed attempt, oldest first. */
  errors: Array<MessageError>;
  /** When it expires if not delivered by then. */
  expiresAt: Scalars['DateTime']['output'];
  headers: Maybe<Scalars['JSON']['output']>;
  id: Scalars['ID']['output'];
  lastError: Maybe<Scalars['String']['output']>;
  orderingKey: Maybe<Scalars['String']['output']>;
  payload: Scalars['JSON']['output'];
  priority: Scalars['Int']['output'];
  state: MessageState;
};

export type QueueMessageConnection = {
  __typename?: 'QueueMessageConnection';
  edges: Array<QueueMessageEdge>;
  pageInfo: PageInfo;
  /** All the queue's messages in the state asked for, not only this page. */
  totalCount: Scalars['Int']['output'];
};

export type QueueMessageEdge = {
  __typename?: 'QueueMessageEdge';
  cursor: Scalars['String']['output'];
  node: QueueMessage;
};

/** A delivered message with the receipt to ack or nack it with. */
export type ReceivedMessage = {
  __typename?: 'ReceivedMessage';
  message: QueueMessage;
  /** Opaque and unguessable; good for this delivery only. */
  receipt: Scalars['String']['output'];
};

/** Retries after a nack or a visibility timeout: exponential backoff with full jitter. */
export type RetryPolicy = {
  __typename?: 'RetryPolicy';
  /** The backoff's base: a retry waits a random time up to min(maxBackoffSeconds, backoffSeconds × 2^(attempt−1)). */
  backoffSeconds: Scalars['Int']['output'];
  /** Deliveries before a message becomes a dead letter (1 or more). */
  maxAttempts: Scalars['Int']['output'];
  maxBackoffSeconds: Scalars['Int']['output'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** The job now, then at least once a second while it runs, and last when it has finished. */
  importProgress: ImportJob;
  /**
   * The source's webhooks as they are accepted. With `after` (an InboundWebhookEvent id), every
   * stored one after it comes first, then live ones; an `after` older than the event retention is
   * EVENTS_EXPIRED.
   */
  inboundWebhooks: InboundWebhookEvent;
  /**
   * Pushes the queue's messages as they become deliverable, each to one subscriber: the consumers
   * subscribed to the same queue (or, with `group`, to the same consumer group of the topic named
   * by `queue`) compete for them. Each message is in flight for `visibilitySeconds` (1 to 43,200)
   * and counts as processed only when acked with ackMessages; a nack, a visibility timeout or a
   * subscriber gone before acking delivers it again (to any subscriber) under the queue's retry
   * policy. At most `prefetch` (1 to 100) messages are unacked per subscriber at once.
   */
  queueMessages: ReceivedMessage;
  /** The endpoint's deliveries as their status changes: each attempt's outcome, and replays. */
  webhookDeliveryUpdated: WebhookDelivery;
};


export type SubscriptionImportProgressArgs = {
  jobId: Scalars['ID']['input'];
};


export type SubscriptionInboundWebhooksArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  source: Scalars['String']['input'];
};


export type SubscriptionQueueMessagesArgs = {
  group?: InputMaybe<Scalars['String']['input']>;
  prefetch?: InputMaybe<Scalars['Int']['input']>;
  queue: Scalars['String']['input'];
  visibilitySeconds?: InputMaybe<Scalars['Int']['input']>;
};


export type SubscriptionWebhookDeliveryUpdatedArgs = {
  endpointId: Scalars['ID']['input'];
};

/**
 * A topic fans out: each message published to it is copied to the queue of every consumer group,
 * and the consumers of one group compete for their group's copies.
 */
export type Topic = {
  __typename?: 'Topic';
  createdAt: Scalars['DateTime']['output'];
  /** By name. */
  groups: Array<ConsumerGroup>;
  /** Lower-case letters, digits, `_` and `-`; up to 31 characters. */
  name: Scalars['String']['output'];
};

/** Only the fields given change; the name and scheme of a source are fixed. */
export type UpdateInboundWebhookSourceInput = {
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** null removes the route. */
  queue?: InputMaybe<Scalars['String']['input']>;
  /** A new secret (the sender's): the old one stops verifying at once. */
  secret?: InputMaybe<Scalars['String']['input']>;
  toleranceSeconds?: InputMaybe<Scalars['Int']['input']>;
};

/** Only the fields given change; the name and kind of a queue are fixed. */
export type UpdateQueueInput = {
  backoffSeconds?: InputMaybe<Scalars['Int']['input']>;
  dedupWindowSeconds?: InputMaybe<Scalars['Int']['input']>;
  deliveryMode?: InputMaybe<DeliveryMode>;
  maxAttempts?: InputMaybe<Scalars['Int']['input']>;
  maxBackoffSeconds?: InputMaybe<Scalars['Int']['input']>;
  maxSize?: InputMaybe<Scalars['Int']['input']>;
  messageTtlSeconds?: InputMaybe<Scalars['Int']['input']>;
};

/** Only the fields given change; description and rateLimitPerSecond are cleared with null. Enabling clears disabledReason. */
export type UpdateWebhookEndpointInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  eventTypes?: InputMaybe<Array<Scalars['String']['input']>>;
  maxConcurrency?: InputMaybe<Scalars['Int']['input']>;
  rateLimitPerSecond?: InputMaybe<Scalars['Int']['input']>;
  retrySchedule?: InputMaybe<Array<Scalars['Int']['input']>>;
  url?: InputMaybe<Scalars['String']['input']>;
};

export type WebhookAttempt = {
  __typename?: 'WebhookAttempt';
  /** When its outcome was recorded. */
  at: Scalars['DateTime']['output'];
  /** 1 for the first; replays go on counting. */
  attempt: Scalars['Int']['output'];
  /** Why it failed without a status: the timeout, the connection error, or `refused: <reason>` from the SSRF guard. */
  error: Maybe<Scalars['String']['output']>;
  latencyMs: Maybe<Scalars['Int']['output']>;
  /** When the next attempt is due (this attempt's time plus the schedule's delay); null after a success or the last attempt. */
  nextAttemptAt: Maybe<Scalars['DateTime']['output']>;
  /** The first 1 KB of the response body. */
  responseBody: Maybe<Scalars['String']['output']>;
  /** The HTTP status; null when no answer came (timeout, connection error, refused address). */
  statusCode: Maybe<Scalars['Int']['output']>;
};

export type WebhookDelivery = {
  __typename?: 'WebhookDelivery';
  /** Attempts so far, replays included. */
  attemptCount: Scalars['Int']['output'];
  /** Every attempt, oldest first. */
  attempts: Array<WebhookAttempt>;
  createdAt: Scalars['DateTime']['output'];
  deliveredAt: Maybe<Scalars['DateTime']['output']>;
  endpointId: Scalars['ID']['output'];
  /** The hub event it carries. */
  eventId: Scalars['ID']['output'];
  eventType: Scalars['String']['output'];
  /** The webhook-id header: the same for every attempt and replay, so that receivers can drop repeats. */
  id: Scalars['ID']['output'];
  lastAttemptAt: Maybe<Scalars['DateTime']['output']>;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: Maybe<Scalars['DateTime']['output']>;
  /** The body sent: { type, timestamp, data }, data being the event. */
  payload: Scalars['JSON']['output'];
  status: WebhookDeliveryStatus;
};

export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  edges: Array<WebhookDeliveryEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type WebhookDeliveryEdge = {
  __typename?: 'WebhookDeliveryEdge';
  cursor: Scalars['String']['output'];
  node: WebhookDelivery;
};

export type WebhookDeliveryStats = {
  __typename?: 'WebhookDeliveryStats';
  delivered: Scalars['Int']['output'];
  /** Deliveries whose retry schedule ran out (dead letters). */
  failed: Scalars['Int']['output'];
  /** The last attempt that failed (a status other than 2xx, a timeout, a connection error, a refusal). */
  lastFailureAt: Maybe<Scalars['DateTime']['output']>;
  /** The last attempt answered 2xx. */
  lastSuccessAt: Maybe<Scalars['DateTime']['output']>;
  pending: Scalars['Int']['output'];
};

/** Where a webhook delivery is. A delivery is one event for one endpoint; its id is the `webhook-id` header. */
export type WebhookDeliveryStatus =
  /** The endpoint answered 2xx. */
  | 'DELIVERED'
  /** Every attempt of the endpoint's retry schedule failed: a dead letter of the endpoint's queue, until replayed. */
  | 'FAILED'
  /** Waiting for its first attempt or a retry (also while its endpoint is disabled). */
  | 'PENDING';

/** A receiver of hub events over HTTP, signed to the Standard Webhooks specification. */
export type WebhookEndpoint = {
  __typename?: 'WebhookEndpoint';
  createdAt: Scalars['DateTime']['output'];
  description: Maybe<Scalars['String']['output']>;
  disabledAt: Maybe<Scalars['DateTime']['output']>;
  /** Why it was disabled: a 410 answer, failures for WEBHOOK_DISABLE_AFTER_SECONDS, or an admin (null). */
  disabledReason: Maybe<Scalars['String']['output']>;
  /** A disabled endpoint is sent nothing and gets no new deliveries; its pending ones wait. */
  enabled: Scalars['Boolean']['output'];
  /** Event types it receives: `order.placed`, `order.*` (a prefix), `*` (every type). */
  eventTypes: Array<Scalars['String']['output']>;
  /** The first failed attempt since the last success; null while it succeeds. */
  failingSince: Maybe<Scalars['DateTime']['output']>;
  /** The URL's host (and port), which `health:read` may read too. */
  host: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Requests in flight at once at most (per replica). */
  maxConcurrency: Scalars['Int']['output'];
  /** While the secret rotated last still signs beside the new one: until then. */
  previousSecretExpiresAt: Maybe<Scalars['DateTime']['output']>;
  /** The hub queue whose messages are its deliveries (`webhook.<id>`), with its counters. */
  queue: Queue;
  /** Requests per second at most (per replica of the queues subgraph); null: no limit. */
  rateLimitPerSecond: Maybe<Scalars['Int']['output']>;
  /** Seconds before each retry; the delivery fails after the last. */
  retrySchedule: Array<Scalars['Int']['output']>;
  stats: WebhookDeliveryStats;
  updatedAt: Scalars['DateTime']['output'];
  /** http:// or https://; loopback, private, link-local and metadata addresses are refused unless WEBHOOK_ALLOWED_HOSTS names the host. Only `admin` reads it: a receiver's path or query often holds a token. */
  url: Scalars['String']['output'];
};

/** An endpoint with its signing secret, which the hub shows only here. */
export type WebhookEndpointSecret = {
  __typename?: 'WebhookEndpointSecret';
  endpoint: WebhookEndpoint;
  /** whsec_<base64>: give it to the receiver, which verifies deliveries with it (the standardwebhooks package does). */
  secret: Scalars['String']['output'];
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;





/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  ConsumerGroup: ResolverTypeWrapper<TopicGroupRow>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ConsumerGroupInput: ConsumerGroupInput;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  CreateInboundWebhookSourceInput: CreateInboundWebhookSourceInput;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  CreateQueueInput: CreateQueueInput;
  CreateTopicInput: CreateTopicInput;
  CreateWebhookEndpointInput: CreateWebhookEndpointInput;
  CreatedInboundWebhookSource: ResolverTypeWrapper<CreatedSource>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeliveryMode: DeliveryMode;
  ImportColumnMapping: ResolverTypeWrapper<ImportColumnMapping>;
  ImportColumnMappingInput: ImportColumnMappingInput;
  ImportEncoding: ImportEncoding;
  ImportError: ResolverTypeWrapper<ReportedRow>;
  ImportErrorConnection: ResolverTypeWrapper<Connection<ReportedRow>>;
  ImportErrorEdge: ResolverTypeWrapper<Omit<ImportErrorEdge, 'node'> & { node: ResolversTypes['ImportError'] }>;
  ImportErrorPolicy: ImportErrorPolicy;
  ImportFailure: ResolverTypeWrapper<ImportFailure>;
  ImportFile: ResolverTypeWrapper<ImportFileRow>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  ImportJob: ResolverTypeWrapper<ImportJobRow>;
  ImportKind: ImportKind;
  ImportMode: ImportMode;
  ImportOptions: ResolverTypeWrapper<ImportOptions>;
  ImportOptionsInput: ImportOptionsInput;
  ImportStatus: ImportStatus;
  InboundWebhook: ResolverTypeWrapper<InboundWebhookRow>;
  InboundWebhookConnection: ResolverTypeWrapper<Connection<InboundWebhookRow>>;
  InboundWebhookEdge: ResolverTypeWrapper<Omit<InboundWebhookEdge, 'node'> & { node: ResolversTypes['InboundWebhook'] }>;
  InboundWebhookEvent: ResolverTypeWrapper<DomainEvent>;
  InboundWebhookRejections: ResolverTypeWrapper<InboundWebhookRejections>;
  InboundWebhookScheme: InboundWebhookScheme;
  InboundWebhookSource: ResolverTypeWrapper<SourceRow>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  MessageError: ResolverTypeWrapper<MessageError>;
  MessageState: MessageState;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  PollRejection: ResolverTypeWrapper<PollRejection>;
  PollSource: ResolverTypeWrapper<PollSourceView>;
  PublishMessageInput: PublishMessageInput;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Queue: ResolverTypeWrapper<QueueRow>;
  QueueKind: QueueKind;
  QueueMessage: ResolverTypeWrapper<MessageRow>;
  QueueMessageConnection: ResolverTypeWrapper<Connection<MessageRow>>;
  QueueMessageEdge: ResolverTypeWrapper<Omit<QueueMessageEdge, 'node'> & { node: ResolversTypes['QueueMessage'] }>;
  ReceivedMessage: ResolverTypeWrapper<Received>;
  RetryPolicy: ResolverTypeWrapper<RetryPolicy>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Topic: ResolverTypeWrapper<TopicRow>;
  UpdateInboundWebhookSourceInput: UpdateInboundWebhookSourceInput;
  UpdateQueueInput: UpdateQueueInput;
  UpdateWebhookEndpointInput: UpdateWebhookEndpointInput;
  WebhookAttempt: ResolverTypeWrapper<AttemptRow>;
  WebhookDelivery: ResolverTypeWrapper<DeliveryRow>;
  WebhookDeliveryConnection: ResolverTypeWrapper<Connection<DeliveryRow>>;
  WebhookDeliveryEdge: ResolverTypeWrapper<Omit<WebhookDeliveryEdge, 'node'> & { node: ResolversTypes['WebhookDelivery'] }>;
  WebhookDeliveryStats: ResolverTypeWrapper<WebhookDeliveryStats>;
  WebhookDeliveryStatus: WebhookDeliveryStatus;
  WebhookEndpoint: ResolverTypeWrapper<EndpointRow>;
  WebhookEndpointSecret: ResolverTypeWrapper<EndpointWithSecret>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  ConsumerGroup: TopicGroupRow;
  String: Scalars['String']['output'];
  ConsumerGroupInput: ConsumerGroupInput;
  Int: Scalars['Int']['output'];
  CreateInboundWebhookSourceInput: CreateInboundWebhookSourceInput;
  Boolean: Scalars['Boolean']['output'];
  CreateQueueInput: CreateQueueInput;
  CreateTopicInput: CreateTopicInput;
  CreateWebhookEndpointInput: CreateWebhookEndpointInput;
  CreatedInboundWebhookSource: CreatedSource;
  DateTime: Scalars['DateTime']['output'];
  ImportColumnMapping: ImportColumnMapping;
  ImportColumnMappingInput: ImportColumnMappingInput;
  ImportError: ReportedRow;
  ImportErrorConnection: Connection<ReportedRow>;
  ImportErrorEdge: Omit<ImportErrorEdge, 'node'> & { node: ResolversParentTypes['ImportError'] };
  ImportFailure: ImportFailure;
  ImportFile: ImportFileRow;
  Float: Scalars['Float']['output'];
  ID: Scalars['ID']['output'];
  ImportJob: ImportJobRow;
  ImportOptions: ImportOptions;
  ImportOptionsInput: ImportOptionsInput;
  InboundWebhook: InboundWebhookRow;
  InboundWebhookConnection: Connection<InboundWebhookRow>;
  InboundWebhookEdge: Omit<InboundWebhookEdge, 'node'> & { node: ResolversParentTypes['InboundWebhook'] };
  InboundWebhookEvent: DomainEvent;
  InboundWebhookRejections: InboundWebhookRejections;
  InboundWebhookSource: SourceRow;
  JSON: Scalars['JSON']['output'];
  MessageError: MessageError;
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  PollRejection: PollRejection;
  PollSource: PollSourceView;
  PublishMessageInput: PublishMessageInput;
  Query: Record<PropertyKey, never>;
  Queue: QueueRow;
  QueueMessage: MessageRow;
  QueueMessageConnection: Connection<MessageRow>;
  QueueMessageEdge: Omit<QueueMessageEdge, 'node'> & { node: ResolversParentTypes['QueueMessage'] };
  ReceivedMessage: Received;
  RetryPolicy: RetryPolicy;
  Subscription: Record<PropertyKey, never>;
  Topic: TopicRow;
  UpdateInboundWebhookSourceInput: UpdateInboundWebhookSourceInput;
  UpdateQueueInput: UpdateQueueInput;
  UpdateWebhookEndpointInput: UpdateWebhookEndpointInput;
  WebhookAttempt: AttemptRow;
  WebhookDelivery: DeliveryRow;
  WebhookDeliveryConnection: Connection<DeliveryRow>;
  WebhookDeliveryEdge: Omit<WebhookDeliveryEdge, 'node'> & { node: ResolversParentTypes['WebhookDelivery'] };
  WebhookDeliveryStats: WebhookDeliveryStats;
  WebhookEndpoint: EndpointRow;
  WebhookEndpointSecret: EndpointWithSecret;
}>;

export type CompetingConsumersDirectiveArgs = { };

export type CompetingConsumersDirectiveResolver<Result, Parent, ContextType = QueuesContext, Args = CompetingConsumersDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export type ConsumerGroupResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ConsumerGroup'] = ResolversParentTypes['ConsumerGroup']> = ResolversObject<{
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  queue?: Resolver<ResolversTypes['Queue'], ParentType, ContextType>;
}>;

export type CreatedInboundWebhookSourceResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['CreatedInboundWebhookSource'] = ResolversParentTypes['CreatedInboundWebhookSource']> = ResolversObject<{
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['InboundWebhookSource'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type ImportColumnMappingResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportColumnMapping'] = ResolversParentTypes['ImportColumnMapping']> = ResolversObject<{
  column?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  field?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type ImportErrorResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportError'] = ResolversParentTypes['ImportError']> = ResolversObject<{
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  column?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  field?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  row?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ImportErrorConnectionResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportErrorConnection'] = ResolversParentTypes['ImportErrorConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['ImportErrorEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ImportErrorEdgeResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportErrorEdge'] = ResolversParentTypes['ImportErrorEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['ImportError'], ParentType, ContextType>;
}>;

export type ImportFailureResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportFailure'] = ResolversParentTypes['ImportFailure']> = ResolversObject<{
  code?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  message?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  row?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
}>;

export type ImportFileResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportFile'] = ResolversParentTypes['ImportFile']> = ResolversObject<{
  bytes?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  fileName?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type ImportJobResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportJob'] = ResolversParentTypes['ImportJob']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdBy?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  errors?: Resolver<ResolversTypes['ImportErrorConnection'], ParentType, ContextType, RequireFields<ImportJobErrorsArgs, 'first'>>;
  failure?: Resolver<Maybe<ResolversTypes['ImportFailure']>, ParentType, ContextType>;
  file?: Resolver<Maybe<ResolversTypes['ImportFile']>, ParentType, ContextType>;
  finishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['ImportKind'], ParentType, ContextType>;
  options?: Resolver<ResolversTypes['ImportOptions'], ParentType, ContextType>;
  reportPath?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  rowsImported?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rowsInserted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rowsRead?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rowsRejected?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rowsUnchanged?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  rowsUpdated?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['ImportStatus'], ParentType, ContextType>;
}>;

export type ImportOptionsResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ImportOptions'] = ResolversParentTypes['ImportOptions']> = ResolversObject<{
  columns?: Resolver<Array<ResolversTypes['ImportColumnMapping']>, ParentType, ContextType>;
  delimiter?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  encoding?: Resolver<ResolversTypes['ImportEncoding'], ParentType, ContextType>;
  ignoredColumns?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  mode?: Resolver<ResolversTypes['ImportMode'], ParentType, ContextType>;
  onError?: Resolver<ResolversTypes['ImportErrorPolicy'], ParentType, ContextType>;
}>;

export type InboundWebhookResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['InboundWebhook'] = ResolversParentTypes['InboundWebhook']> = ResolversObject<{
  body?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  eventType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  headers?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  receivedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  webhookId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type InboundWebhookConnectionResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['InboundWebhookConnection'] = ResolversParentTypes['InboundWebhookConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['InboundWebhookEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type InboundWebhookEdgeResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['InboundWebhookEdge'] = ResolversParentTypes['InboundWebhookEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['InboundWebhook'], ParentType, ContextType>;
}>;

export type InboundWebhookEventResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['InboundWebhookEvent'] = ResolversParentTypes['InboundWebhookEvent']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  requestId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  webhook?: Resolver<Maybe<ResolversTypes['InboundWebhook']>, ParentType, ContextType>;
}>;

export type InboundWebhookRejectionsResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['InboundWebhookRejections'] = ResolversParentTypes['InboundWebhookRejections']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type InboundWebhookSourceResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['InboundWebhookSource'] = ResolversParentTypes['InboundWebhookSource']> = ResolversObject<{
  accepted?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  duplicates?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  path?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  queue?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  rejected?: Resolver<Array<ResolversTypes['InboundWebhookRejections']>, ParentType, ContextType>;
  scheme?: Resolver<ResolversTypes['InboundWebhookScheme'], ParentType, ContextType>;
  toleranceSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MessageErrorResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['MessageError'] = ResolversParentTypes['MessageError']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  attempt?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  ackMessages?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationAckMessagesArgs, 'receipts'>>;
  addConsumerGroup?: Resolver<ResolversTypes['ConsumerGroup'], ParentType, ContextType, RequireFields<MutationAddConsumerGroupArgs, 'group' | 'topic'>>;
  cancelImport?: Resolver<ResolversTypes['ImportJob'], ParentType, ContextType, RequireFields<MutationCancelImportArgs, 'id'>>;
  createInboundWebhookSource?: Resolver<ResolversTypes['CreatedInboundWebhookSource'], ParentType, ContextType, RequireFields<MutationCreateInboundWebhookSourceArgs, 'input'>>;
  createQueue?: Resolver<ResolversTypes['Queue'], ParentType, ContextType, RequireFields<MutationCreateQueueArgs, 'input'>>;
  createTopic?: Resolver<ResolversTypes['Topic'], ParentType, ContextType, RequireFields<MutationCreateTopicArgs, 'input'>>;
  createWebhookEndpoint?: Resolver<ResolversTypes['WebhookEndpointSecret'], ParentType, ContextType, RequireFields<MutationCreateWebhookEndpointArgs, 'input'>>;
  deleteInboundWebhookSource?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteInboundWebhookSourceArgs, 'name'>>;
  deleteQueue?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteQueueArgs, 'name'>>;
  deleteTopic?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteTopicArgs, 'name'>>;
  deleteWebhookEndpoint?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationDeleteWebhookEndpointArgs, 'id'>>;
  nackMessages?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationNackMessagesArgs, 'deadLetter' | 'receipts'>>;
  pollSourceNow?: Resolver<ResolversTypes['PollSource'], ParentType, ContextType, RequireFields<MutationPollSourceNowArgs, 'name'>>;
  publishMessage?: Resolver<ResolversTypes['QueueMessage'], ParentType, ContextType, RequireFields<MutationPublishMessageArgs, 'input' | 'queue'>>;
  publishMessages?: Resolver<Array<ResolversTypes['QueueMessage']>, ParentType, ContextType, RequireFields<MutationPublishMessagesArgs, 'inputs' | 'queue'>>;
  publishToTopic?: Resolver<Array<ResolversTypes['QueueMessage']>, ParentType, ContextType, RequireFields<MutationPublishToTopicArgs, 'inputs' | 'topic'>>;
  purgeQueue?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationPurgeQueueArgs, 'name'>>;
  receiveMessages?: Resolver<Array<ResolversTypes['ReceivedMessage']>, ParentType, ContextType, RequireFields<MutationReceiveMessagesArgs, 'max' | 'queue' | 'visibilitySeconds'>>;
  removeConsumerGroup?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType, RequireFields<MutationRemoveConsumerGroupArgs, 'group' | 'topic'>>;
  replayDeadLetters?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationReplayDeadLettersArgs, 'queue'>>;
  replayWebhookDelivery?: Resolver<ResolversTypes['WebhookDelivery'], ParentType, ContextType, RequireFields<MutationReplayWebhookDeliveryArgs, 'id'>>;
  replayWebhookEndpoint?: Resolver<ResolversTypes['Int'], ParentType, ContextType, RequireFields<MutationReplayWebhookEndpointArgs, 'id' | 'since'>>;
  rotateWebhookSecret?: Resolver<ResolversTypes['WebhookEndpointSecret'], ParentType, ContextType, RequireFields<MutationRotateWebhookSecretArgs, 'id'>>;
  startImport?: Resolver<ResolversTypes['ImportJob'], ParentType, ContextType, RequireFields<MutationStartImportArgs, 'fileId' | 'kind'>>;
  updateInboundWebhookSource?: Resolver<ResolversTypes['InboundWebhookSource'], ParentType, ContextType, RequireFields<MutationUpdateInboundWebhookSourceArgs, 'input' | 'name'>>;
  updateQueue?: Resolver<ResolversTypes['Queue'], ParentType, ContextType, RequireFields<MutationUpdateQueueArgs, 'input' | 'name'>>;
  updateWebhookEndpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType, RequireFields<MutationUpdateWebhookEndpointArgs, 'id' | 'input'>>;
}>;

export type PageInfoResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type PollRejectionResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['PollRejection'] = ResolversParentTypes['PollRejection']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  externalId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  reason?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  watermark?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type PollSourceResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['PollSource'] = ResolversParentTypes['PollSource']> = ResolversObject<{
  intervalSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  itemsApplied?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  itemsRejected?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  itemsUnchanged?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lastError?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  lastRunAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  lastSuccessAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  nextRunAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  recentRejections?: Resolver<Array<ResolversTypes['PollRejection']>, ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  watermark?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  importJob?: Resolver<Maybe<ResolversTypes['ImportJob']>, ParentType, ContextType, RequireFields<QueryImportJobArgs, 'id'>>;
  importJobs?: Resolver<Array<ResolversTypes['ImportJob']>, ParentType, ContextType, RequireFields<QueryImportJobsArgs, 'first'>>;
  inboundWebhookSources?: Resolver<Array<ResolversTypes['InboundWebhookSource']>, ParentType, ContextType>;
  inboundWebhooks?: Resolver<ResolversTypes['InboundWebhookConnection'], ParentType, ContextType, RequireFields<QueryInboundWebhooksArgs, 'first' | 'source'>>;
  pollSources?: Resolver<Array<ResolversTypes['PollSource']>, ParentType, ContextType>;
  queue?: Resolver<Maybe<ResolversTypes['Queue']>, ParentType, ContextType, RequireFields<QueryQueueArgs, 'name'>>;
  queues?: Resolver<Array<ResolversTypes['Queue']>, ParentType, ContextType>;
  topic?: Resolver<Maybe<ResolversTypes['Topic']>, ParentType, ContextType, RequireFields<QueryTopicArgs, 'name'>>;
  topics?: Resolver<Array<ResolversTypes['Topic']>, ParentType, ContextType>;
  webhookDeliveries?: Resolver<ResolversTypes['WebhookDeliveryConnection'], ParentType, ContextType, RequireFields<QueryWebhookDeliveriesArgs, 'endpointId' | 'first'>>;
  webhookEndpoint?: Resolver<Maybe<ResolversTypes['WebhookEndpoint']>, ParentType, ContextType, RequireFields<QueryWebhookEndpointArgs, 'id'>>;
  webhookEndpoints?: Resolver<Array<ResolversTypes['WebhookEndpoint']>, ParentType, ContextType>;
}>;

export type QueueResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['Queue'] = ResolversParentTypes['Queue']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deadLetters?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  dedupWindowSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  delayed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  deliveryMode?: Resolver<ResolversTypes['DeliveryMode'], ParentType, ContextType>;
  depth?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  inFlight?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  kind?: Resolver<ResolversTypes['QueueKind'], ParentType, ContextType>;
  maxSize?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  messageTtlSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  messages?: Resolver<ResolversTypes['QueueMessageConnection'], ParentType, ContextType, RequireFields<QueueMessagesArgs, 'first'>>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  oldestAgeSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  processedPerMinute?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  publishedPerMinute?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  retryPolicy?: Resolver<ResolversTypes['RetryPolicy'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
}>;

export type QueueMessageResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['QueueMessage'] = ResolversParentTypes['QueueMessage']> = ResolversObject<{
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  availableAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  dedupKey?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  errors?: Resolver<Array<ResolversTypes['MessageError']>, ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  headers?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastError?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  orderingKey?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  payload?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  priority?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  state?: Resolver<ResolversTypes['MessageState'], ParentType, ContextType>;
}>;

export type QueueMessageConnectionResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['QueueMessageConnection'] = ResolversParentTypes['QueueMessageConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['QueueMessageEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type QueueMessageEdgeResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['QueueMessageEdge'] = ResolversParentTypes['QueueMessageEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['QueueMessage'], ParentType, ContextType>;
}>;

export type ReceivedMessageResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['ReceivedMessage'] = ResolversParentTypes['ReceivedMessage']> = ResolversObject<{
  message?: Resolver<ResolversTypes['QueueMessage'], ParentType, ContextType>;
  receipt?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type RetryPolicyResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['RetryPolicy'] = ResolversParentTypes['RetryPolicy']> = ResolversObject<{
  backoffSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxAttempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  maxBackoffSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  importProgress?: SubscriptionResolver<ResolversTypes['ImportJob'], "importProgress", ParentType, ContextType, RequireFields<SubscriptionImportProgressArgs, 'jobId'>>;
  inboundWebhooks?: SubscriptionResolver<ResolversTypes['InboundWebhookEvent'], "inboundWebhooks", ParentType, ContextType, RequireFields<SubscriptionInboundWebhooksArgs, 'source'>>;
  queueMessages?: SubscriptionResolver<ResolversTypes['ReceivedMessage'], "queueMessages", ParentType, ContextType, RequireFields<SubscriptionQueueMessagesArgs, 'prefetch' | 'queue' | 'visibilitySeconds'>>;
  webhookDeliveryUpdated?: SubscriptionResolver<ResolversTypes['WebhookDelivery'], "webhookDeliveryUpdated", ParentType, ContextType, RequireFields<SubscriptionWebhookDeliveryUpdatedArgs, 'endpointId'>>;
}>;

export type TopicResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['Topic'] = ResolversParentTypes['Topic']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  groups?: Resolver<Array<ResolversTypes['ConsumerGroup']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type WebhookAttemptResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['WebhookAttempt'] = ResolversParentTypes['WebhookAttempt']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  attempt?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  latencyMs?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  nextAttemptAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  responseBody?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  statusCode?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
}>;

export type WebhookDeliveryResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['WebhookDelivery'] = ResolversParentTypes['WebhookDelivery']> = ResolversObject<{
  attemptCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  attempts?: Resolver<Array<ResolversTypes['WebhookAttempt']>, ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  deliveredAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  endpointId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  eventId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  eventType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastAttemptAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  nextAttemptAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  payload?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['WebhookDeliveryStatus'], ParentType, ContextType>;
}>;

export type WebhookDeliveryConnectionResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['WebhookDeliveryConnection'] = ResolversParentTypes['WebhookDeliveryConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['WebhookDeliveryEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type WebhookDeliveryEdgeResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['WebhookDeliveryEdge'] = ResolversParentTypes['WebhookDeliveryEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['WebhookDelivery'], ParentType, ContextType>;
}>;

export type WebhookDeliveryStatsResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['WebhookDeliveryStats'] = ResolversParentTypes['WebhookDeliveryStats']> = ResolversObject<{
  delivered?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  failed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lastFailureAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  lastSuccessAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  pending?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type WebhookEndpointResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['WebhookEndpoint'] = ResolversParentTypes['WebhookEndpoint']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  disabledAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  disabledReason?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  enabled?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  eventTypes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  failingSince?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  host?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  maxConcurrency?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  previousSecretExpiresAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  queue?: Resolver<ResolversTypes['Queue'], ParentType, ContextType>;
  rateLimitPerSecond?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  retrySchedule?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
  stats?: Resolver<ResolversTypes['WebhookDeliveryStats'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type WebhookEndpointSecretResolvers<ContextType = QueuesContext, ParentType extends ResolversParentTypes['WebhookEndpointSecret'] = ResolversParentTypes['WebhookEndpointSecret']> = ResolversObject<{
  endpoint?: Resolver<ResolversTypes['WebhookEndpoint'], ParentType, ContextType>;
  secret?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = QueuesContext> = ResolversObject<{
  ConsumerGroup?: ConsumerGroupResolvers<ContextType>;
  CreatedInboundWebhookSource?: CreatedInboundWebhookSourceResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  ImportColumnMapping?: ImportColumnMappingResolvers<ContextType>;
  ImportError?: ImportErrorResolvers<ContextType>;
  ImportErrorConnection?: ImportErrorConnectionResolvers<ContextType>;
  ImportErrorEdge?: ImportErrorEdgeResolvers<ContextType>;
  ImportFailure?: ImportFailureResolvers<ContextType>;
  ImportFile?: ImportFileResolvers<ContextType>;
  ImportJob?: ImportJobResolvers<ContextType>;
  ImportOptions?: ImportOptionsResolvers<ContextType>;
  InboundWebhook?: InboundWebhookResolvers<ContextType>;
  InboundWebhookConnection?: InboundWebhookConnectionResolvers<ContextType>;
  InboundWebhookEdge?: InboundWebhookEdgeResolvers<ContextType>;
  InboundWebhookEvent?: InboundWebhookEventResolvers<ContextType>;
  InboundWebhookRejections?: InboundWebhookRejectionsResolvers<ContextType>;
  InboundWebhookSource?: InboundWebhookSourceResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  MessageError?: MessageErrorResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  PollRejection?: PollRejectionResolvers<ContextType>;
  PollSource?: PollSourceResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Queue?: QueueResolvers<ContextType>;
  QueueMessage?: QueueMessageResolvers<ContextType>;
  QueueMessageConnection?: QueueMessageConnectionResolvers<ContextType>;
  QueueMessageEdge?: QueueMessageEdgeResolvers<ContextType>;
  ReceivedMessage?: ReceivedMessageResolvers<ContextType>;
  RetryPolicy?: RetryPolicyResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Topic?: TopicResolvers<ContextType>;
  WebhookAttempt?: WebhookAttemptResolvers<ContextType>;
  WebhookDelivery?: WebhookDeliveryResolvers<ContextType>;
  WebhookDeliveryConnection?: WebhookDeliveryConnectionResolvers<ContextType>;
  WebhookDeliveryEdge?: WebhookDeliveryEdgeResolvers<ContextType>;
  WebhookDeliveryStats?: WebhookDeliveryStatsResolvers<ContextType>;
  WebhookEndpoint?: WebhookEndpointResolvers<ContextType>;
  WebhookEndpointSecret?: WebhookEndpointSecretResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = QueuesContext> = ResolversObject<{
  competingConsumers?: CompetingConsumersDirectiveResolver<any, any, ContextType>;
}>;
