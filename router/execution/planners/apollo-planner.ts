import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import {
  prettyFormatQueryPlan,
  QueryPlanner,
  type FetchDataRewrite,
  type FetchNode as ApolloFetch,
  type PlanNode as ApolloNode,
  type QueryPlanSelectionNode,
} from '@apollo/query-planner';
import type { DocumentNode } from 'graphql';
import type { FetchNode, OperationKind, PlanNode, QueryPlan, RequiredSelection, Rewrite } from '../plan.js';
import { planningFailed, type PlannedOperation, type Planner } from './planner.js';

/** Apollo's query planner (@apollo/query-planner, Elastic-2.0): QUERY_PLANNER=apollo. */
export class ApolloPlanner implements Planner {
  readonly name = 'apollo';
  private readonly planner: QueryPlanner;

  constructor(
    supergraph: Supergraph,
    private readonly apiSchema: Schema,
  ) {
    this.planner = new QueryPlanner(supergraph);
  }

  plan(document: DocumentNode, operationName: string | undefined): PlannedOperation {
    let raw;
    try {
      raw = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
    } catch (error) {
      throw planningFailed(this.name, error);
    }
    const plan: QueryPlan = { node: raw.node && (raw.node.kind === 'Subscription' ? { kind: 'Subscription', primary: fetchOf(raw.node.primary), rest: raw.node.rest && nodeOf(raw.node.rest) } : nodeOf(raw.node)) };
    return { plan, raw, pretty: () => (raw.node ? prettyFormatQueryPlan(raw) : '') };
  }
}

function nodeOf(node: ApolloNode): PlanNode {
  switch (node.kind) {
    case 'Fetch':
      return fetchOf(node);
    case 'Sequence':
    case 'Parallel':
      return { kind: node.kind, nodes: node.nodes.map(nodeOf) };
    case 'Flatten':
      return { kind: 'Flatten', path: node.path.map(String), node: nodeOf(node.node) };
    case 'Condition':
      return { kind: 'Condition', condition: node.condition, ifClause: node.ifClause && nodeOf(node.ifClause), elseClause: node.elseClause && nodeOf(node.elseClause) };
    default:
      throw planningFailed('apollo', new Error(`${node.kind} nodes are not supported by the router's executor`));
  }
}

function fetchOf(fetch: ApolloFetch): FetchNode {
  // Context rewrites (@fromContext) are not executed: planning fails rather than answering wrong.
  if (fetch.contextRewrites?.length) throw planningFailed('apollo', new Error('@fromContext is not supported by the router\'s executor'));
  return {
    kind: 'Fetch',
    serviceName: fetch.serviceName,
    operation: fetch.operation,
    operationName: fetch.operationName,
    operationKind: fetch.operationKind as OperationKind,
    document: fetch.operationDocumentNode,
    variableUsages: fetch.variableUsages ?? [],
    requires: fetch.requires && requiredOf(fetch.requires),
    inputRewrites: fetch.inputRewrites && rewritesOf(fetch.inputRewrites),
    outputRewrites: fetch.outputRewrites && rewritesOf(fetch.outputRewrites),
  };
}

/** Apollo's representations read and send each field under its response name. */
function requiredOf(selections: readonly QueryPlanSelectionNode[]): RequiredSelection[] {
  return selections.map((selection) => {
    if (selection.kind === 'Field') {
      const key = selection.alias ?? selection.name;
      return { kind: 'Field', key, source: key, selections: selection.selections && requiredOf(selection.selections) };
    }
    return { kind: 'InlineFragment', typeCondition: selection.typeCondition, selections: requiredOf(selection.selections) };
  });
}

const FRAGMENT_PREFIX = '... on ';

function rewritesOf(rewrites: readonly FetchDataRewrite[]): Rewrite[] {
  return rewrites.map((rewrite): Rewrite => {
    const path = rewrite.path.map((element) => (element.startsWith(FRAGMENT_PREFIX) ? { typenames: [element.slice(FRAGMENT_PREFIX.length)] } : { key: element }));
    return rewrite.kind === 'ValueSetter' ? { kind: 'ValueSetter', path, setValueTo: String(rewrite.setValueTo) } : { kind: 'KeyRenamer', path, renameKeyTo: rewrite.renameKeyTo };
  });
}

/** The supergraph as Apollo's model has it: the planner's input, and the API schema that operations are checked against. */
export function apolloSupergraph(supergraphSdl: string): { supergraph: Supergraph; apiSchema: Schema } {
  const supergraph = Supergraph.build(supergraphSdl);
  return { supergraph, apiSchema: supergraph.apiSchema() };
}
