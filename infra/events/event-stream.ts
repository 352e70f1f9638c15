import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors.js';
import { AsyncQueue } from './async-queue.js';
import { matches, type DomainEvent, type EventFilter } from './event.js';
import type { EventStore } from './event-store.js';
import type { EventFeed } from './event-feed.js';

const REPLAY_PAGE = 500;

/** Events a subscriber may have buffered before it is cut off as too slow. */
export const MAX_BUFFERED_EVENTS = 10_000;

/**
 * The events matching `filter`: with `after`, first every stored event after that id, then
 * live ones, with no gap and no duplicate at the hand-over; without it, the events committed
 * from the moment of subscribing.
 *
 * The live listener is registered before the replay reads the store, and the replay reads
 * until the store has nothing more: an event committed meanwhile is either read by the replay
 * or delivered live, and ids (commit order) tell which were already yielded.
 */
export async function* eventStream(
  feed: EventFeed,
  store: EventStore,
  filter: EventFilter,
  after?: string | null,
): AsyncGenerator<DomainEvent> {
  if (after != null && !/^\d{1,19}$/.test(after)) {
    throw new GraphQLError('after must be an event id', { extensions: { code: ErrorCode.BadUserInput, fields: [{ field: 'after', message: 'must be an event id' }] } });
  }
  let unsubscribe = () => {};
  const live = new AsyncQueue<DomainEvent>(
    MAX_BUFFERED_EVENTS,
    () => new GraphQLError('The subscriber fell too far behind and was cut off', { extensions: { code: ErrorCode.SlowConsumer } }),
    () => unsubscribe(),
  );
  unsubscribe = feed.listen((event) => {
    if (matches(event, filter)) live.push(event);
  });
  try {
    let last: bigint;
    if (after != null) {
      last = BigInt(after);
      if (last < BigInt(await store.prunedThrough())) {
        throw new GraphQLError(`Events after ${after} are no longer kept; resubscribe without after`, {
          extensions: { code: ErrorCode.EventsExpired },
        });
      }
      for (;;) {
        const page = await store.readAfter(last.toString(), REPLAY_PAGE, filter);
        for (const event of page) {
          last = BigInt(event.id);
          yield event;
        }
        if (page.length < REPLAY_PAGE) break;
      }
    } else {
      // Live from now: events committed before this subscription (even if the relay has not
      // handed them out yet) are not sent; anything committed after is, since the listener
      // was registered before this read.
      const newest = BigInt(await store.latestId());
      const relayed = BigInt(feed.position());
      last = newest > relayed ? newest : relayed;
    }
    for await (const event of live) {
      if (BigInt(event.id) <= last) continue;
      last = BigInt(event.id);
      yield event;
    }
  } finally {
    unsubscribe();
    await live.return();
  }
}
