import type { ServiceMap } from '@apollo/gateway';
import { executePlan, type RequestContext } from '../execution/plan-execution.js';
import type { QueryPlan } from '../execution/plan.js';
import { GraphQLError, print, type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../infra/errors.js';
import { AsyncQueue } from '../../infra/events/async-queue.js';
import { MAX_BUFFERED_EVENTS } from '../../infra/events/event-stream.js';
import { SLOW_CONSUMER_CLOSE } from '../../infra/graphql/subscription-server.js';
import type { Logger } from '../../infra/logger.js';
import type { RouterContext, SubscriberSocket } from '../context.js';
import type { SubscriptionPlan, SubscriptionPlanner } from './subscription-planner.js';
import type { UpstreamClients } from './upstream-clients.js';

export interface SubscribeArgs {
  document: DocumentNode;
  operationName?: string | null;
  variables: Record<string, unknown>;
  context: RouterContext;
}

/** What the router counts of its subscriptions (router-metrics.ts makes them); each is called where it happens. */
export interface SubscriptionCounters {
  /** An event sent to a subscriber's socket. */
  delivered(): void;
  /** A subscriber disconnected for reading too slowly (close code 4008). */
  slowDisconnect(): void;
  /** A subscription that resumes from `after`. */
  resumed(): void;
}

/** One client's subscription: graphql-ws drives `done` for its lifecycle; events go straight to the socket. */
interface Subscriber {
  done: AsyncQueue<ExecutionResult>;
  socket?: SubscriberSocket;
}

const slowConsumer = () =>
  new GraphQLError('The subscriber fell too far behind and was cut off; resubscribe with after', { extensions: { code: ErrorCode.SlowConsumer } });

/**
 * One upstream subscription and its per-event work, shared by every client that sent the same
 * operation with the same variables and forwarded headers: each event is fetched upstream once,
 * its entity fetches run once, and its result is serialised once, whatever the number of
 * subscribers.
 */
class SharedStream {
  readonly subscribers = new Set<Subscriber>();
  private chain: Promise<void> = Promise.resolve();
  stopUpstream: () => void = () => {};

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly onEmpty: () => void,
    private readonly formatError: ErrorFormatter,
    private readonly counters: SubscriptionCounters | undefined,
  ) {}

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) {
      this.stopUpstream();
      this.onEmpty();
    }
  }

  /** Events are processed one at a time, so clients see them in upstream order. */
  enqueue(work: () => Promise<ExecutionResult>): void {
    this.chain = this.chain.then(async () => {
      let result: ExecutionResult;
      try {
        result = await work();
      } catch (error) {
        result = { errors: [new GraphQLError('Completing the event failed', { extensions: { code: ErrorCode.InternalServerError }, originalError: error as Error })] };
      }
      this.deliver(result);
    });
  }

  fail(error: GraphQLError): void {
    this.chain = this.chain.then(() => {
      for (const subscriber of [...this.subscribers]) subscriber.done.fail(error);
    });
  }

  complete(): void {
    this.chain = this.chain.then(() => {
      for (const subscriber of [...this.subscribers]) void subscriber.done.return();
    });
  }

  private deliver(result: ExecutionResult): void {
    let payload: string | undefined;
    for (const subscriber of [...this.subscribers]) {
      const socket = subscriber.socket;
      if (!socket) {
        subscriber.done.push(result);
        continue;
      }
      // Bytes the socket could not hand to the kernel yet: a client that does not read is cut
      // off before its backlog grows without limit, and may resume with `after`.
      if (socket.bufferedBytes() > this.maxBufferedBytes) {
        socket.disconnect(SLOW_CONSUMER_CLOSE, 'Slow consumer: resubscribe with after');
        subscriber.done.fail(slowConsumer());
        this.counters?.slowDisconnect();
        continue;
      }
      payload ??= JSON.stringify(result.errors ? { ...result, errors: result.errors.map((error) => this.formatError(error.toJSON(), error)) } : result);
      socket.send(`{"id":${JSON.stringify(socket.subscriptionId)},"type":"next","payload":${payload}}`);
      this.counters?.delivered();
    }
  }
}

function upstreamError(serviceName: string, error: unknown): GraphQLError {
  const first = Array.isArray(error) ? (error[0] as GraphQLFormattedError | undefined) : undefined;
  if (first?.message) {
    return new GraphQLError(first.message, { extensions: { ...first.extensions, serviceName } });
  }
  return new GraphQLError(`The ${serviceName} subgraph's subscription failed`, {
    extensions: { code: ErrorCode.DependencyUnavailable, serviceName, retriable: true },
  });
}

/**
 * Federated subscriptions: the plan's primary fetch is opened upstream over graphql-ws, and
 * each event it yields is completed with the rest of the plan through the gateway's own
 * executor, by serving the primary fetch from the event.
 */
/** Apollo Server's `formatError` shape: the router masks what clients must not see with it. */
export type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

export class FederatedSubscriptions {
  private readonly streams = new Map<string, SharedStream>();

  constructor(
    private readonly planner: SubscriptionPlanner,
    private readonly dataSources: ServiceMap,
    private readonly upstream: UpstreamClients,
    private readonly logger: Logger,
    /** Bytes a subscriber's socket may have waiting to be sent before it is disconnected. */
    private readonly maxBufferedBytes = 4 * 1024 * 1024,
    /** What a subscriber sees of an event's errors: the router's formatError, as over HTTP. */
    private readonly formatError: ErrorFormatter = (formatted) => formatted,
    /** Counts deliveries, slow-client disconnects and resumes; none by default. */
    private readonly counters?: SubscriptionCounters,
  ) {}

  /** Distinct upstream streams open now. */
  get activeStreams(): number {
    return this.streams.size;
  }

  subscribe(args: SubscribeArgs): AsyncIterableIterator<ExecutionResult> | ExecutionResult {
    let plan: SubscriptionPlan;
    try {
      plan = this.planner.plan(args.document, args.operationName, args.variables);
    } catch (error) {
      return { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
    }
    if (plan.resumes) this.counters?.resumed();
    const key = plan.exclusive ? undefined : JSON.stringify([print(args.document), args.operationName ?? null, args.variables, args.context.forwardedHeaders]);
    let stream = key ? this.streams.get(key) : undefined;
    if (!stream) {
      stream = this.open(plan, args, () => key && this.streams.delete(key));
      if (key) this.streams.set(key, stream);
    }
    const shared = stream;
    const subscriber: Subscriber = {
      socket: args.context.socket,
      // Without a socket (in-process use), results queue here; past the cap the subscriber is cut off.
      done: new AsyncQueue<ExecutionResult>(MAX_BUFFERED_EVENTS, slowConsumer, () => shared.remove(subscriber)),
    };
    shared.add(subscriber);
    return subscriber.done;
  }

  private open(plan: SubscriptionPlan, args: SubscribeArgs, onEmpty: () => void): SharedStream {
    const stream = new SharedStream(this.maxBufferedBytes, onEmpty, this.formatError, this.counters);
    const { primary } = plan;
    const variables = Object.fromEntries(primary.variableUsages.filter((name) => name in args.variables).map((name) => [name, args.variables[name]]));
    const headers = { ...args.context.forwardedHeaders, 'x-request-id': args.context.requestId };
    stream.stopUpstream = this.upstream.subscribe(
      primary.serviceName,
      headers,
      { query: primary.operation, variables, operationName: primary.operationName },
      {
        next: (result) => stream.enqueue(() => this.complete(plan, result, args)),
        error: (error) => stream.fail(upstreamError(primary.serviceName, error)),
        complete: () => stream.complete(),
      },
    );
    return stream;
  }

  /** Runs the rest of the plan for one upstream event. */
  private async complete(plan: SubscriptionPlan, event: FormattedExecutionResult, args: SubscribeArgs): Promise<ExecutionResult> {
    if (!event.data) {
      return { errors: (event.errors ?? []).map((error) => new GraphQLError(error.message, { extensions: { ...error.extensions, serviceName: plan.primary.serviceName } })) };
    }
    const queryPlan: QueryPlan = {
      node: plan.rest ? { kind: 'Sequence', nodes: [plan.primary, plan.rest] } : plan.primary,
    };
    const serviceMap: ServiceMap = {
      ...this.dataSources,
      [plan.primary.serviceName]: { process: async () => ({ data: event.data, errors: event.errors as never }) },
    };
    const requestContext = {
      request: { query: print(args.document), operationName: args.operationName ?? undefined, variables: args.variables },
      context: args.context,
      logger: this.logger,
      metrics: {},
      cache: undefined,
    } as unknown as RequestContext;
    const result = await executePlan(queryPlan, { supergraphSchema: this.planner.supergraphSchema, shaper: plan.shaper, serviceMap, requestContext, variables: args.variables });
    return { data: result.data as ExecutionResult['data'], ...(result.errors?.length ? { errors: result.errors } : {}) };
  }
}
