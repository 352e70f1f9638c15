import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  IsolatedCircuitError,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel';
import { circuitStateName, type CircuitStateName } from '../../../infra/resilience/circuit-state.js';
import type { Logger } from '../../../infra/logger.js';
import { RetryBudget } from '../../../infra/resilience/retry-budget.js';
import { sapUnavailable } from './sap-errors.js';

/**
 * A call that did not get an answer from SAP: no connection, a reset, a timeout, a TLS failure,
 * or a 502/503/504 from SAP or its web dispatcher. Thrown by the transport inside the policy;
 * the policy turns it into SAP_UNAVAILABLE.
 */
export class SapTransportFailure extends Error {
  override name = 'SapTransportFailure';

  constructor(
    /** `timeout`, `HTTP 503`, `ECONNRESET`, ... */
    readonly reason: string,
    /** Worth retrying a read: a timeout, a dropped connection, 502/503/504. */
    readonly transient: boolean,
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(`SAP call failed: ${reason}`, options);
  }
}

export interface SapPolicyOptions {
  breakerFailures: number;
  breakerResetMs: number;
  /** Attempts for a read, the first included. */
  maxAttempts: number;
}

/**
 * Retries as a share of reads (see RetryBudget): a struggling SAP system gets at most 20% more
 * load from retries, after a reserve of 10 that lets the first failures retry at once.
 */
const RETRY_BUDGET_RATIO = 0.2;

/**
 * The resilience of calls to one SAP system (cockatiel): a circuit breaker that answers
 * SAP_UNAVAILABLE at once, without a request, after `breakerFailures` consecutive transport
 * failures, and retries of reads on transient failures with full-jitter exponential backoff
 * within a retry budget. Writes go through the breaker but are never retried here. Only
 * SapTransportFailure counts: an answer from SAP, even an error, proves it is there.
 */
export class SapPolicy {
  private readonly reads: IPolicy;
  private readonly writes: IPolicy;
  private readonly breaker;
  private readonly budget = new RetryBudget(RETRY_BUDGET_RATIO);

  constructor(
    private readonly system: string,
    options: SapPolicyOptions,
    logger: Logger,
  ) {
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof SapTransportFailure),
      { halfOpenAfter: options.breakerResetMs, breaker: new ConsecutiveBreaker(options.breakerFailures) },
    );
    this.breaker.onStateChange((state) => logger.warn({ circuit: circuitStateName(state) }, 'SAP circuit state changed'));
    const retries = retry(
      handleWhen((error) => error instanceof SapTransportFailure && error.transient && this.budget.trySpend()),
      { maxAttempts: Math.max(0, options.maxAttempts - 1), backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 2_000, generator: fullJitterGenerator }) },
    );
    this.reads = wrap(retries, this.breaker);
    this.writes = this.breaker;
  }

  get state(): CircuitStateName {
    return circuitStateName(this.breaker.state);
  }

  /** Runs `call`; transport failures and an open circuit reject with SAP_UNAVAILABLE, other errors pass through. */
  async execute<T>(call: () => Promise<T>, options: { retriable: boolean }): Promise<T> {
    if (options.retriable) this.budget.recordCall();
    try {
      return await (options.retriable ? this.reads : this.writes).execute(call);
    } catch (error) {
      if (error instanceof SapTransportFailure) return Promise.reject(sapUnavailable(this.system, error.reason, { httpStatus: error.httpStatus, cause: error }));
      if (error instanceof IsolatedCircuitError) return Promise.reject(sapUnavailable(this.system, 'circuit isolated by an operator', { cause: error }));
      if (error instanceof BrokenCircuitError) return Promise.reject(sapUnavailable(this.system, 'circuit open: the system failed repeatedly', { cause: error }));
      throw error;
    }
  }
}
