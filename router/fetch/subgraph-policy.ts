import {
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { ErrorCode } from '../../infra/errors.js';
import { circuitStateName, type CircuitStateName } from '../../infra/resilience/circuit-state.js';
import type { Logger } from '../../infra/logger.js';
import { RetryBudget } from '../../infra/resilience/retry-budget.js';
import { classify, subgraphError } from './subgraph-failure.js';

export interface SubgraphPolicyOptions {
  /** Consecutive failures that open the circuit. */
  breakerFailures: number;
  /** How long the circuit stays open before one trial call (half-open). */
  breakerResetMs: number;
  /** Attempts for a query, the first included; mutations get one. */
  maxAttempts: number;
  /** Retries as a share of calls (see RetryBudget). */
  retryBudgetRatio: number;
  /** Requests in flight to this subgraph at once; as many more may wait. */
  maxConcurrency: number;
}

/**
 * The resilience of calls to one subgraph (cockatiel): a bulkhead caps concurrent calls, a
 * circuit breaker answers at once while the subgraph keeps failing, and queries (never
 * mutations) are retried on transient failures with full-jitter exponential backoff within a
 * retry budget. Failures become GraphQL errors with SUBGRAPH_UNAVAILABLE, CIRCUIT_OPEN or TIMEOUT.
 */
export class SubgraphPolicy {
  private readonly queries: IPolicy;
  private readonly mutations: IPolicy;
  private readonly breaker;
  private readonly budget: RetryBudget;
  /** Circuit state changes since start, by new state. */
  readonly transitions: Record<CircuitStateName, number> = { closed: 0, open: 0, 'half-open': 0, isolated: 0 };
  /** Failures in a row counted by the breaker (a success resets them): what opens it at breakerFailures. */
  failures = 0;
  /** When the circuit last opened; undefined while it has not opened since start. */
  openedAt: Date | undefined;

  constructor(
    readonly serviceName: string,
    options: SubgraphPolicyOptions,
    logger: Logger,
  ) {
    this.budget = new RetryBudget(options.retryBudgetRatio);
    this.breaker = circuitBreaker(
      handleWhen((error) => classify(error)?.countsAsFailure ?? false),
      { halfOpenAfter: options.breakerResetMs, breaker: new ConsecutiveBreaker(options.breakerFailures) },
    );
    this.breaker.onFailure(({ handled }) => {
      if (handled) this.failures += 1;
    });
    this.breaker.onSuccess(() => {
      this.failures = 0;
    });
    this.breaker.onStateChange((state) => {
      const name = circuitStateName(state);
      this.transitions[name] += 1;
      if (name === 'open') this.openedAt = new Date();
      logger.warn({ subgraph: serviceName, circuit: name }, 'subgraph circuit state changed');
    });
    const limit = bulkhead(options.maxConcurrency, options.maxConcurrency);
    const retries = retry(
      handleWhen((error) => {
        const failure = classify(error);
        return Boolean(failure?.transient && failure.code !== ErrorCode.CircuitOpen && this.budget.trySpend());
      }),
      { maxAttempts: Math.max(0, options.maxAttempts - 1), backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 1_000, generator: fullJitterGenerator }) },
    );
    this.queries = wrap(retries, this.breaker, limit);
    this.mutations = wrap(this.breaker, limit);
  }

  get state(): CircuitStateName {
    return circuitStateName(this.breaker.state);
  }

  async execute<T>(call: () => Promise<T>, options: { retriable: boolean }): Promise<T> {
    this.budget.recordCall();
    try {
      return await (options.retriable ? this.queries : this.mutations).execute(call);
    } catch (error) {
      const failure = classify(error);
      throw failure ? subgraphError(this.serviceName, failure, error) : error;
    }
  }
}
