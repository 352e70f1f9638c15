import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { GraphQLError, Kind, print, type DocumentNode, type GraphQLSchema, type SelectionNode, type ArgumentNode, type ValueNode } from 'graphql';
import type { PreparedOperation, QueryPlanExecutor } from '../execution/query-plan-executor.js';
import type { ResponseShaper } from '../execution/response-shaper.js';

type OperationContext = PreparedOperation['operationContext'];

export interface SubscriptionPlan {
  /** The fetch that opens the subscription on the subgraph that owns the root field. */
  primary: FetchNode;
  /** Entity fetches to other subgraphs, run once per event. */
  rest?: PlanNode;
  operationContext: OperationContext;
  /** The event's answer shaped for the client, as a query's is. */
  shaper: ResponseShaper;
  /** True when the root field resumes from a cursor (`after`): such streams are never shared. */
  resumes: boolean;
}

const MAX_CACHED_PLANS = 1_000;

/**
 * Plans subscriptions with the router's executor (the federation query planner, on the same
 * supergraph as queries): @apollo/gateway plans subscriptions but refuses to execute them, so
 * the router runs the plan itself.
 */
export class SubscriptionPlanner {
  /** The API schema clients see, for validating operations before anything opens upstream. */
  readonly schema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  private readonly plans = new Map<string, Omit<SubscriptionPlan, 'resumes'>>();

  constructor(private readonly executor: QueryPlanExecutor) {
    this.schema = executor.schema;
    this.supergraphSchema = executor.supergraphSchema;
  }

  /** Plans are kept by the operation's text: graphql-ws parses every subscribe message anew. */
  plan(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): SubscriptionPlan {
    const key = `${operationName ?? ''}\n${print(document)}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const { operationContext, queryPlan, shaper } = this.executor.prepare(document, operationName ?? undefined);
      if (queryPlan.node?.kind !== 'Subscription') throw new GraphQLError('The operation is not a subscription');
      plan = { primary: queryPlan.node.primary, rest: queryPlan.node.rest, operationContext, shaper };
      if (this.plans.size >= MAX_CACHED_PLANS) this.plans.clear();
      this.plans.set(key, plan);
    }
    return { ...plan, resumes: resumesFromCursor(plan.operationContext, variables) };
  }
}

function resumesFromCursor(operationContext: OperationContext, variables: Record<string, unknown>): boolean {
  const isSet = (value: ValueNode): boolean =>
    value.kind === Kind.VARIABLE ? variables[value.name.value] != null : value.kind !== Kind.NULL;
  return operationContext.operation.selectionSet.selections.some(
    (selection: SelectionNode) => selection.kind === Kind.FIELD && (selection.arguments ?? []).some((argument: ArgumentNode) => argument.name.value === 'after' && isSet(argument.value)),
  );
}
