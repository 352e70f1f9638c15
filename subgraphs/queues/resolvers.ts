import { connectionResolvers, countsWithPage, pageRequest } from '../../infra/db/pagination.js';
import { parseInput } from '../../infra/validation.js';
import { subscribeArgs } from './queue-input.js';
import { QueueSubscription } from './queue-subscription.js';
import type { Received } from './queues-service.js';
import { DateTimeScalar, JSONScalar } from '../../infra/graphql/scalars.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { inboundResolvers } from './inbound/index.js';
import { webhookResolvers } from './webhooks/index.js';
import { pollingResolvers } from './polling/index.js';
import { importsResolvers } from './imports/index.js';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
  QueueMessageConnection: connectionResolvers,
  ...inboundResolvers.types,
  ...webhookResolvers.types,
  ...pollingResolvers.types,
  ...importsResolvers.types,
  Query: {
    topics: (_parent, _args, { repository }) => repository.listTopics(),
    topic: async (_parent, { name }, { repository }) => (await repository.findTopicsByNames([name]))[0] ?? null,
    queues: (_parent, _args, { repository }) => repository.list(),
    queue: async (_parent, { name }, { repository }) => (await repository.findByNames([name]))[0] ?? null,
    ...inboundResolvers.Query,
    ...webhookResolvers.Query,
    ...pollingResolvers.Query,
    ...importsResolvers.Query,
  },
  Mutation: {
    createQueue: (_parent, { input }, { queues, requestId }) => queues.create(input, requestId),
    updateQueue: (_parent, { name, input }, { queues, requestId }) => queues.update(name, input, requestId),
    deleteQueue: (_parent, { name }, { queues, requestId }) => queues.delete(name, requestId),
    purgeQueue: (_parent, { name }, { queues, requestId }) => queues.purge(name, requestId),
    publishMessage: async (_parent, { queue, input }, { queues, requestId }) => (await queues.publish(queue, [input], false, requestId))[0]!,
    publishMessages: (_parent, { queue, inputs }, { queues, requestId }) => queues.publish(queue, inputs, true, requestId),
    receiveMessages: (_parent, { queue, max, visibilitySeconds }, { queues, requestId }) => queues.receive(queue, max, visibilitySeconds, requestId),
    ackMessages: (_parent, { receipts }, { queues }) => queues.ack(receipts),
    nackMessages: (_parent, { receipts, delaySeconds, error, deadLetter }, { queues, requestId }) => queues.nack(receipts, { delaySeconds, error, deadLetter }, requestId),
    replayDeadLetters: (_parent, { queue, ids, all }, { queues, requestId }) => queues.replay(queue, ids, all, requestId),
    createTopic: (_parent, { input }, { queues, requestId }) => queues.createTopic(input, requestId),
    deleteTopic: (_parent, { name }, { queues, requestId }) => queues.deleteTopic(name, requestId),
    addConsumerGroup: (_parent, { topic, group, input }, { queues, requestId }) => queues.addGroup(topic, group, input, requestId),
    removeConsumerGroup: (_parent, { topic, group }, { queues, requestId }) => queues.removeGroup(topic, group, requestId),
    publishToTopic: (_parent, { topic, inputs }, { queues }) => queues.publishToTopic(topic, inputs),
    ...inboundResolvers.Mutation,
    ...webhookResolvers.Mutation,
    ...pollingResolvers.Mutation,
    ...importsResolvers.Mutation,
  },
  Subscription: {
    queueMessages: {
      subscribe: async (_parent, { queue, group, visibilitySeconds, prefetch }, { queues, repository, signals, requestId }) => {
        const args = await parseInput(subscribeArgs, { visibilitySeconds, prefetch });
        const target = await queues.consumerQueue(queue, group);
        return new QueueSubscription({ service: queues, repository, signals }, target, args.visibilitySeconds, args.prefetch, requestId);
      },
      resolve: (received: Received) => received,
    },
    ...inboundResolvers.Subscription,
    ...webhookResolvers.Subscription,
    ...importsResolvers.Subscription,
  },
  Topic: {
    groups: (topic, _args, { loaders }) => loaders.groupsByTopicId.load(topic.id),
  },
  ConsumerGroup: {
    queue: async (group, _args, { loaders }) => (await loaders.queueById.load(group.queueId))!,
  },
  Queue: {
    depth: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).depth,
    inFlight: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).inFlight,
    delayed: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).delayed,
    failed: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).failed,
    deadLetters: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).deadLetters,
    oldestAgeSeconds: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).oldestAgeSeconds,
    publishedPerMinute: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).publishedPerMinute,
    processedPerMinute: async (queue, _args, { loaders }) => (await loaders.statsByQueueId.load(queue.id)).processedPerMinute,
    retryPolicy: (queue) => ({ maxAttempts: queue.maxAttempts, backoffSeconds: queue.backoffSeconds, maxBackoffSeconds: queue.maxBackoffSeconds }),
    messages: (queue, { state, first, after }, { loaders }, info) => {
      const page = pageRequest({ first, after });
      return loaders.queueMessages.load({ queueId: queue.id, state: state ?? null, page, counted: countsWithPage(info, page) });
    },
  },
  QueueMessage: {
    lastError: (message) => message.errors.at(-1)?.error ?? null,
  },
};
