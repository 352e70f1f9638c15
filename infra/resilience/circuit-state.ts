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

/** A circuit state as a gauge's value (`*_circuit_breaker_state`): 0 closed, 1 half-open, 2 open, 3 isolated. */
export function circuitStateValue(state: CircuitStateName): number {
  switch (state) {
    case 'closed':
      return 0;
    case 'half-open':
      return 1;
    case 'open':
      return 2;
    case 'isolated':
      return 3;
    default: {
      const unknown: never = state;
      throw new Error(`unknown circuit state ${String(unknown)}`);
    }
  }
}
