import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import { GraphQLError, Kind, print, type DocumentNode, type GraphQLSchema, type SelectionNode, type ArgumentNode, type ValueNode } from 'graphql';
import { readAccessRequirements } from '../auth/access-requirements.js';
import { ResponseShaper } from '../execution/response-shaper.js';

type OperationContext = ReturnType<typeof buildOperationContext>;

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
 * Plans subscriptions with the federation query planner, from the same supergraph the gateway
 * serves: @apollo/gateway plans subscriptions but refuses to execute them, so the router runs
 * the plan itself.
 */
export class SubscriptionPlanner {
  /** The API schema clients see, for validating operations before anything opens upstream. */
  readonly schema: GraphQLSchema;
  readonly supergraphSchema: GraphQLSchema;
  private readonly apiSchema: Schema;
  private readonly planner: QueryPlanner;
  private readonly plans = new Map<string, Omit<SubscriptionPlan, 'resumes'>>();

  /** `supergraphSdl` may declare access rules (`for: SECURITY` links): the router enforces them, the planner ignores them. */
  constructor(supergraphSdl: string) {
    const supergraph = Supergraph.build(readAccessRequirements(supergraphSdl).gatewaySdl);
    this.apiSchema = supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
  }

  plan(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): SubscriptionPlan {
    const key = `${operationName ?? ''}\n${print(document)}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const operationContext = buildOperationContext({ schema: this.schema, operationDocument: document, operationName: operationName ?? undefined });
      const queryPlan = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName: operationName ?? undefined }));
      if (queryPlan.node?.kind !== 'Subscription') throw new GraphQLError('The operation is not a subscription');
      const shaper = new ResponseShaper(this.schema, operationContext.operation, operationContext.fragments);
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
