import { CircuitState } from 'cockatiel';

/** A cockatiel circuit breaker's state, as logs, `sapSystems` and the router's circuits name it. */
export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

export function circuitStateName(state: CircuitState): CircuitStateName {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.Open:
      return 'open';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Isolated:
      return 'isolated';
    default: {
      const unknown: never = state;
      throw new Error(`unknown circuit state ${String(unknown)}`);
    }
  }
}
