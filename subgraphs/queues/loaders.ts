import DataLoader from 'dataloader';
import { groupBy } from '../../infra/db/loader.js';
import { toConnection, type Connection, type PageRequest } from '../../infra/db/pagination.js';
import type { MessageRow, MessageState, QueueRow, QueueStats, QueuesRepository, TopicGroupRow } from './queues-repository.js';

export interface QueueMessagesKey {
  queueId: string;
  state: MessageState | null;
  page: PageRequest;
  /** Whether the page's statement should count the matches too (a first page whose totalCount is selected). */
  counted: boolean;
}

export interface QueueLoaders {
  /** Every computed counter of a queue (depth, inFlight, rates, ...): one statement for all queues of a request. */
  statsByQueueId: DataLoader<string, QueueStats>;
  /** Queue.messages: one statement for all queues that ask for the same page shape. */
  queueMessages: DataLoader<QueueMessagesKey, Connection<MessageRow>, string>;
  /** A topic's groups, by name: one statement for all topics of a request. */
  groupsByTopicId: DataLoader<string, TopicGroupRow[]>;
  queueById: DataLoader<string, QueueRow | undefined>;
}

const EMPTY: QueueStats = Object.freeze({ depth: 0, inFlight: 0, delayed: 0, failed: 0, deadLetters: 0, oldestAgeSeconds: 0, publishedPerMinute: 0, processedPerMinute: 0 });

const shapeOf = (key: QueueMessagesKey) =>
  JSON.stringify([key.state, key.page.first, key.page.after?.createdAt.toISOString() ?? null, key.page.after?.id ?? null, key.counted]);

/** Created per request, so batches never mix requests and nothing is cached across them. */
export function createLoaders(repository: QueuesRepository): QueueLoaders {
  return {
    statsByQueueId: new DataLoader(async (ids) => {
      const stats = await repository.statsOf(ids);
      return ids.map((id) => stats.get(id) ?? EMPTY);
    }),
    groupsByTopicId: new DataLoader(async (ids) => {
      const groups = groupBy(await repository.groupsOf(ids), (group) => group.topicId);
      return ids.map((id) => groups.get(id) ?? []);
    }),
    queueById: new DataLoader(async (ids) => {
      const queues = new Map((await repository.findByIds(ids)).map((queue) => [queue.id, queue]));
      return ids.map((id) => queues.get(id));
    }),
    queueMessages: new DataLoader(
      async (keys) => {
        const results = new Map<QueueMessagesKey, Connection<MessageRow>>();
        for (const members of groupBy(keys, shapeOf).values()) {
          const { state, page, counted } = members[0]!;
          const { rows, totals } = await repository.pages(members.map((key) => key.queueId), state, page, counted);
          const byQueue = groupBy(rows, (row) => row.queueId);
          for (const key of members) {
            // Counted by the page's statement when asked; else by a statement of its own, when selected.
            const total = totals ? (totals.get(key.queueId) ?? 0) : () => repository.countMessages(key.queueId, state);
            results.set(key, toConnection(byQueue.get(key.queueId) ?? [], page.first, total));
          }
        }
        return keys.map((key) => results.get(key)!);
      },
      { cacheKeyFn: (key) => `${key.queueId}:${shapeOf(key)}` },
    ),
  };
}
