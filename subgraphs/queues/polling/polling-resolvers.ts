import type { MutationResolvers, PollSourceResolvers, QueryResolvers } from '../__generated__/resolvers-types.js';
import { shownUrl } from './poll-source.js';

/** Polling sources' resolvers, spread into the queues subgraph's (resolvers.ts): root fields by root type, and their own types. */
export const pollingResolvers = {
  Query: {
    pollSources: (_parent, _args, { polling }) => polling.list(),
  } satisfies QueryResolvers,
  Mutation: {
    pollSourceNow: (_parent, { name }, { polling }) => polling.pollNow(name),
  } satisfies MutationResolvers,
  types: {
    PollSource: {
      name: ({ source }) => source.name,
      url: ({ source }) => shownUrl(source),
      intervalSeconds: ({ source }) => source.intervalSeconds,
      watermark: ({ row }) => row?.watermark ?? null,
      lastRunAt: ({ row }) => row?.lastRunAt ?? null,
      lastSuccessAt: ({ row }) => row?.lastSuccessAt ?? null,
      lastError: ({ row }) => row?.lastError ?? null,
      nextRunAt: ({ row }) => row?.nextRunAt ?? null,
      itemsApplied: ({ row }) => Number(row?.itemsApplied ?? 0),
      itemsUnchanged: ({ row }) => Number(row?.itemsUnchanged ?? 0),
      itemsRejected: ({ row }) => Number(row?.itemsRejected ?? 0),
      recentRejections: ({ row }) => row?.recentRejections ?? [],
    } satisfies PollSourceResolvers,
  },
};
