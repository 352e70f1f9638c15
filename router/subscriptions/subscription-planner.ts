import { GraphQLError, Kind, print, type DocumentNode, type GraphQLSchema, type SelectionNode, type ArgumentNode, type ValueNode } from 'graphql';
import type { FetchNode, PlanNode } from '../execution/plan.js';
import type { OperationContext, QueryPlanExecutor } from '../execution/query-plan-executor.js';
import type { ResponseShaper } from '../execution/response-shaper.js';

export interface SubscriptionPlan {
  /** The fetch that opens the subscription on the subgraph that owns the root field. */
  primary: FetchNode;
  /** Entity fetches to other subgraphs, run once per event. */
  rest?: PlanNode;
  operationContext: OperationContext;
  /** The event's answer shaped for the client, as a query's is. */
  shaper: ResponseShaper;
  /**
   * True when no other subscriber may share this one's upstream stream: its root field resumes
   * from a cursor (`after`), or is marked @competingConsumers (each subscriber gets different
   * messages, as queueMessages).
   */
  exclusive: boolean;
  /** True when its root field resumes from a cursor (`after`): a client picking up where it left off. */
  resumes: boolean;
}

/** The directive a subgraph composes onto a subscription field whose subscribers compete for what it yields. */
export const COMPETING_CONSUMERS = 'competingConsumers';

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
  private readonly plans = new Map<string, Omit<SubscriptionPlan, 'exclusive' | 'resumes'> & { competing: boolean }>();

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
      plan = { primary: queryPlan.node.primary, rest: queryPlan.node.rest, operationContext, shaper, competing: this.competing(operationContext) };
      if (this.plans.size >= MAX_CACHED_PLANS) this.plans.clear();
      this.plans.set(key, plan);
    }
    const { competing, ...rest } = plan;
    const resumes = resumesFromCursor(plan.operationContext, variables);
    return { ...rest, exclusive: competing || resumes, resumes };
  }

  /** Whether a root field of the operation is marked @competingConsumers in the supergraph. */
  private competing(operationContext: OperationContext): boolean {
    const fields = this.supergraphSchema.getSubscriptionType()?.getFields() ?? {};
    return operationContext.operation.selectionSet.selections.some(
      (selection) =>
        selection.kind === Kind.FIELD && !!fields[selection.name.value]?.astNode?.directives?.some((directive) => directive.name.value === COMPETING_CONSUMERS),
    );
  }
}

function resumesFromCursor(operationContext: OperationContext, variables: Record<string, unknown>): boolean {
  const isSet = (value: ValueNode): boolean =>
    value.kind === Kind.VARIABLE ? variables[value.name.value] != null : value.kind !== Kind.NULL;
  return operationContext.operation.selectionSet.selections.some(
    (selection: SelectionNode) => selection.kind === Kind.FIELD && (selection.arguments ?? []).some((argument: ArgumentNode) => argument.name.value === 'after' && isSet(argument.value)),
  );
}
