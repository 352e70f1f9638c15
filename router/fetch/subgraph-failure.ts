import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../infra/errors.js';
import { networkErrorCode, TRANSIENT_NETWORK_CODES } from '../../infra/resilience/network-errors.js';

/** Codes for a subgraph call that failed; the fields that subgraph owns are null in the result. */
export type SubgraphFailureCode = ErrorCode.SubgraphUnavailable | ErrorCode.CircuitOpen | ErrorCode.Timeout;

export interface SubgraphFailure {
  code: SubgraphFailureCode;
  /** Worth retrying later: the subgraph may recover. A permanent failure will not go away by itself. */
  transient: boolean;
  /** Counts against the subgraph's circuit breaker (a refused connection does; a 400 does not). */
  countsAsFailure: boolean;
  reason: string;
}

/** What went wrong with one subgraph call, or undefined when it is not a subgraph failure (a client error). */
export function classify(error: unknown): SubgraphFailure | undefined {
  if (error instanceof BrokenCircuitError) return { code: ErrorCode.CircuitOpen, transient: true, countsAsFailure: false, reason: 'circuit open' };
  if (error instanceof BulkheadRejectedError) {
    return { code: ErrorCode.SubgraphUnavailable, transient: true, countsAsFailure: false, reason: 'too many requests in flight to this subgraph' };
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    const deadline = error.message === 'the operation deadline passed';
    // A call cut short by the operation's deadline says nothing about the subgraph's health.
    return { code: ErrorCode.Timeout, transient: !deadline, countsAsFailure: !deadline, reason: deadline ? error.message : 'no answer within the timeout' };
  }
  if (error instanceof GraphQLError) {
    const status = (error.extensions.response as { status?: number } | undefined)?.status;
    if (status === 502 || status === 503 || status === 504) return { code: ErrorCode.SubgraphUnavailable, transient: true, countsAsFailure: true, reason: `HTTP ${status}` };
    if (status !== undefined && status >= 500) return { code: ErrorCode.SubgraphUnavailable, transient: false, countsAsFailure: true, reason: `HTTP ${status}` };
    return undefined;
  }
  const code = networkErrorCode(error);
  if (code && TRANSIENT_NETWORK_CODES.has(code)) return { code: ErrorCode.SubgraphUnavailable, transient: true, countsAsFailure: true, reason: code };
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return { code: ErrorCode.SubgraphUnavailable, transient: true, countsAsFailure: true, reason: code ?? 'fetch failed' };
  }
  return undefined;
}

/** The error a client sees for a failed subgraph call. */
export function subgraphError(serviceName: string, failure: SubgraphFailure, cause: unknown): GraphQLError {
  const message =
    failure.code === ErrorCode.CircuitOpen
      ? `The ${serviceName} subgraph is failing; calls are paused for a while (circuit open)`
      : failure.code === ErrorCode.Timeout
        ? `The ${serviceName} subgraph did not answer in time`
        : `The ${serviceName} subgraph is unavailable (${failure.reason})`;
  return new GraphQLError(message, {
    originalError: cause instanceof Error ? cause : undefined,
    extensions: { code: failure.code, serviceName, transient: failure.transient, reason: failure.reason },
  });
}
