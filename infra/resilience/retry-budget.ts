/**
 * Caps retries at a share of the calls: every call earns `ratio` of a retry and a retry spends
 * one, so retries add at most `ratio` times the load (never more than double with ratio <= 1)
 * to a subgraph that is already struggling. A small reserve lets the first failures retry.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    private readonly ratio: number,
    private readonly reserve = 10,
  ) {
    this.tokens = reserve;
  }

  recordCall(): void {
    this.tokens = Math.min(this.reserve, this.tokens + this.ratio);
  }

  trySpend(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
