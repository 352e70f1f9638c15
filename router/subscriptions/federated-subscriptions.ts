import { executeQueryPlan, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import { GraphQLError, print, type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../../infra/errors.js';
import { AsyncQueue } from '../../infra/events/async-queue.js';
import { MAX_BUFFERED_EVENTS } from '../../infra/events/event-stream.js';
import { SLOW_CONSUMER_CLOSE } from '../../infra/graphql/subscription-server.js';
import type { Logger } from '../../infra/logger.js';
import type { RouterContext } from '../context.js';
import type { SubscriptionPlan, SubscriptionPlanner } from './subscription-planner.js';
import type { UpstreamClients } from './upstream-clients.js';

export interface SubscribeArgs {
  document: DocumentNode;
  operationName?: string | null;
  variables: Record<string, unknown>;
  context: RouterContext;
}

/**
 * One upstream subscription and its per-event work, shared by every client that sent the same
 * operation with the same variables and forwarded headers: each event is fetched upstream once
 * and its entity fetches run once, whatever the number of subscribers.
 */
class SharedStream {
  readonly listeners = new Set<AsyncQueue<ExecutionResult>>();
  private chain: Promise<void> = Promise.resolve();
  stopUpstream: () => void = () => {};

  constructor(private readonly onEmpty: () => void) {}

  add(listener: AsyncQueue<ExecutionResult>): void {
    this.listeners.add(listener);
  }

  remove(listener: AsyncQueue<ExecutionResult>): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) {
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
      for (const listener of this.listeners) listener.push(result);
    });
  }

  fail(error: GraphQLError): void {
    this.chain = this.chain.then(() => {
      for (const listener of [...this.listeners]) listener.fail(error);
    });
  }

  complete(): void {
    this.chain = this.chain.then(() => {
      for (const listener of [...this.listeners]) void listener.return();
    });
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
export class FederatedSubscriptions {
  private readonly streams = new Map<string, SharedStream>();

  constructor(
    private readonly planner: SubscriptionPlanner,
    private readonly dataSources: ServiceMap,
    private readonly upstream: UpstreamClients,
    private readonly logger: Logger,
    /** Events one subscriber may have waiting before it is disconnected. */
    private readonly maxBufferedEvents = MAX_BUFFERED_EVENTS,
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
    const key = plan.resumes ? undefined : JSON.stringify([print(args.document), args.operationName ?? null, args.variables, args.context.forwardedHeaders]);
    let stream = key ? this.streams.get(key) : undefined;
    if (!stream) {
      stream = this.open(plan, args, () => key && this.streams.delete(key));
      if (key) this.streams.set(key, stream);
    }
    const shared = stream;
    const listener: AsyncQueue<ExecutionResult> = new AsyncQueue<ExecutionResult>(
      this.maxBufferedEvents,
      () => {
        // Its backlog is capped: a client that cannot keep up is disconnected, and may resume with `after`.
        args.context.disconnect?.(SLOW_CONSUMER_CLOSE, 'Slow consumer: resubscribe with after');
        return new GraphQLError('The subscriber fell too far behind and was cut off', { extensions: { code: ErrorCode.SlowConsumer } });
      },
      () => shared.remove(listener),
    );
    shared.add(listener);
    return listener;
  }

  private open(plan: SubscriptionPlan, args: SubscribeArgs, onEmpty: () => void): SharedStream {
    const stream = new SharedStream(onEmpty);
    const { primary } = plan;
    const variables = Object.fromEntries((primary.variableUsages ?? []).filter((name) => name in args.variables).map((name) => [name, args.variables[name]]));
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
      kind: 'QueryPlan',
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
    } as unknown as Parameters<typeof executeQueryPlan>[2];
    const result = await executeQueryPlan(queryPlan, serviceMap, requestContext, plan.operationContext, this.planner.supergraphSchema, this.planner.apiSchema);
    return { data: result.data as ExecutionResult['data'], ...(result.errors?.length ? { errors: result.errors } : {}) };
  }
}
