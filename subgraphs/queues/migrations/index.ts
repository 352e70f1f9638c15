import type { Migration } from 'kysely';
import * as createQueues from './0001-create-queues.js';
import * as topics from './0002-topics-and-effectively-once.js';
import * as standardOrder from './0003-standard-order-index.js';
import * as webhooks from './0004-webhooks.js';
import * as inboundWebhooks from './0005-inbound-webhooks.js';
import * as pollSources from './0006-poll-sources.js';
import * as imports from './0007-imports.js';
import * as retentionIndexes from './0008-retention-indexes.js';

/** Applied in key order; a published migration is never edited, only followed by a new one. */
export const queuesMigrations: Record<string, Migration> = {
  '0001-create-queues': createQueues,
  '0002-topics-and-effectively-once': topics,
  '0003-standard-order-index': standardOrder,
  '0004-webhooks': webhooks,
  '0005-inbound-webhooks': inboundWebhooks,
  '0006-poll-sources': pollSources,
  '0007-imports': imports,
  '0008-retention-indexes': retentionIndexes,
};
