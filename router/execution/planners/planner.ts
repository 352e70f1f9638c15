import { GraphQLError, type DocumentNode } from 'graphql';
import type { QueryPlan } from '../plan.js';

export const PLANNERS = ['hive', 'apollo'] as const;
export type PlannerName = (typeof PLANNERS)[number];

/** What a planner made of one operation. */
export interface PlannedOperation {
  /** In the executor's own form (plan.ts). */
  plan: QueryPlan;
  /** The planner's own plan, for `Apollo-Query-Plan-Experimental-Format: internal`. */
  raw: unknown;
  /** The plan as text, for Apollo Sandbox's query plan panel. */
  pretty(): string;
}

/**
 * The router's planner seam: a validated document and the name of one of its operations in, a
 * plan in the executor's form out. Hive Router's planner is the default; Apollo's is
 * QUERY_PLANNER=apollo.
 */
export interface Planner {
  readonly name: PlannerName;
  plan(document: DocumentNode, operationName: string | undefined): PlannedOperation;
}

/** An operation the planner could not plan: a GraphQL error naming the planner and the way out. */
export function planningFailed(planner: PlannerName, error: unknown): GraphQLError {
  const reason = error instanceof Error ? error.message : String(error);
  const wayOut = planner === 'hive' ? ' (QUERY_PLANNER=apollo plans with Apollo\'s planner instead)' : '';
  return new GraphQLError(`The ${planner} query planner could not plan this operation: ${reason}${wayOut}`, {
    extensions: { code: 'QUERY_PLANNING_FAILED', planner },
    originalError: error instanceof Error ? error : undefined,
  });
}
