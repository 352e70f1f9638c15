import {
  QueryPlanner,
  type FetchNode as HiveFetch,
  type FetchRewrite,
  type FetchNodePathSegment,
  type FlattenNodePathSegment,
  type PlanNode as HiveNode,
  type QueryPlan as HivePlan,
  type RequiresSelection,
} from '@graphql-hive/router-query-planner';
import { Kind, print, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode } from 'graphql';
import { formatPlan } from '../plan-format.js';
import type { FetchNode, OperationKind, PathElement, PlanNode, QueryPlan, RequiredSelection, Rewrite, RewriteStep } from '../plan.js';
import { planningFailed, type PlannedOperation, type Planner } from './planner.js';

/**
 * Hive Router's query planner (@graphql-hive/router-query-planner, MIT, a Node addon): the
 * default. It plans from the operation's text. It does not plan introspection, which the router
 * answers itself: root `__schema`, `__type` and `__typename` are taken out before planning.
 */
export class HivePlanner implements Planner {
  readonly name = 'hive';
  private readonly planner: QueryPlanner;

  /** Throws, naming the planner, when it refuses the supergraph. */
  constructor(supergraphSdl: string) {
    try {
      this.planner = new QueryPlanner(supergraphSdl);
    } catch (error) {
      throw new Error(`The hive query planner refused the supergraph: ${(error as Error).message}. QUERY_PLANNER=apollo plans with Apollo's planner instead`, { cause: error });
    }
  }

  plan(document: DocumentNode, operationName: string | undefined): PlannedOperation {
    const withoutIntrospection = plannableDocument(document, operationName);
    let raw: HivePlan;
    try {
      raw = withoutIntrospection ? this.planner.plan(print(withoutIntrospection), operationName ?? null, new Set(), 0) : { kind: 'QueryPlan' };
    } catch (error) {
      throw planningFailed(this.name, error);
    }
    const plan = planOf(raw, namer(operationName ?? operationNameOf(document)));
    return { plan, raw, pretty: () => formatPlan(plan) };
  }
}

/** Names a subgraph operation as Apollo's planner does (`<Operation>__<subgraph>__<n>`) when the client's operation has a name, for subgraphs' logs and traces. */
type Namer = (operation: string, serviceName: string) => { operation: string; operationName?: string };

function namer(clientOperation: string | undefined): Namer {
  let next = 0;
  return (operation, serviceName) => {
    if (!clientOperation) return { operation };
    const operationName = `${clientOperation}__${serviceName}__${next++}`;
    // Hive's operations are anonymous: `{...}`, `query(...)`, `mutation{...}`, ...
    const named = operation.startsWith('{') ? `query ${operationName}${operation}` : operation.replace(/^(query|mutation|subscription)\b/, `$1 ${operationName}`);
    return { operation: named, operationName };
  };
}

function planOf(raw: HivePlan, name: Namer): QueryPlan {
  const root = raw.node;
  if (!root) return {};
  // A subscription: its primary fetch, alone or followed by the entity fetches of each event.
  if (root.kind === 'Subscription') return { node: { kind: 'Subscription', primary: fetchOf(root.primary, name, 'subscription') } };
  if (root.kind === 'Sequence' && root.nodes[0]?.kind === 'Subscription') {
    const [first, ...rest] = root.nodes;
    const primary = fetchOf((first as { primary: HiveFetch }).primary, name, 'subscription');
    const nodes = rest.map((node) => nodeOf(node, name));
    return { node: { kind: 'Subscription', primary, rest: nodes.length === 1 ? nodes[0] : { kind: 'Sequence', nodes } } };
  }
  return { node: nodeOf(root, name) };
}

function nodeOf(node: HiveNode, name: Namer): PlanNode {
  switch (node.kind) {
    case 'Fetch':
      return fetchOf(node, name);
    case 'BatchFetch':
      return {
        kind: 'BatchFetch',
        serviceName: node.serviceName,
        ...name(node.operation, node.serviceName),
        operationKind: node.operationKind ?? 'query',
        variableUsages: node.variableUsages ?? [],
        aliases: node.entityBatch.aliases.map((alias) => ({
          alias: alias.alias,
          variable: alias.representationsVariableName,
          paths: alias.paths.map(pathOf),
          requires: requiredOf(alias.requires),
          inputRewrites: alias.inputRewrites && rewritesOf(alias.inputRewrites),
          outputRewrites: alias.outputRewrites && rewritesOf(alias.outputRewrites),
        })),
      };
    case 'Sequence':
    case 'Parallel':
      return { kind: node.kind, nodes: node.nodes.map((child) => nodeOf(child, name)) };
    case 'Flatten':
      return { kind: 'Flatten', path: pathOf(node.path), node: nodeOf(node.node, name) };
    case 'Condition':
      // An absent clause is null here.
      return { kind: 'Condition', condition: node.condition, ifClause: node.ifClause ? nodeOf(node.ifClause, name) : undefined, elseClause: node.elseClause ? nodeOf(node.elseClause, name) : undefined };
    default:
      throw planningFailed('hive', new Error(`${node.kind} nodes are not supported by the router's executor`));
  }
}

/** A subscription's primary fetch comes without `kind`; entity fetches without `operationKind`. */
function fetchOf(fetch: HiveFetch, name: Namer, kind: OperationKind = 'query'): FetchNode {
  return {
    kind: 'Fetch',
    serviceName: fetch.serviceName,
    ...name(fetch.operation, fetch.serviceName),
    operationKind: fetch.operationKind ?? kind,
    variableUsages: fetch.variableUsages ?? [],
    requires: fetch.requires && requiredOf(fetch.requires),
    inputRewrites: fetch.inputRewrites && rewritesOf(fetch.inputRewrites),
    outputRewrites: fetch.outputRewrites && rewritesOf(fetch.outputRewrites),
  };
}

function pathOf(path: FlattenNodePathSegment[]): PathElement[] {
  return path.map((segment) => (typeof segment === 'string' ? segment : 'Field' in segment ? segment.Field : { typeCondition: segment.TypeCondition }));
}

/** Hive's planner reads a required field by its name (which may be its own alias of it) and sends it under its alias. */
function requiredOf(selections: RequiresSelection[]): RequiredSelection[] {
  return selections.map((selection): RequiredSelection => {
    switch (selection.kind) {
      case 'Field':
        return { kind: 'Field', key: selection.alias ?? selection.name, source: selection.name, selections: selection.selections && requiredOf(selection.selections) };
      case 'InlineFragment':
        return { kind: 'InlineFragment', typeCondition: selection.typeCondition, selections: requiredOf(selection.selections) };
      default:
        throw planningFailed('hive', new Error(`${selection.kind} in an entity's requirements is not supported by the router's executor`));
    }
  });
}

function stepsOf(path: FetchNodePathSegment[]): RewriteStep[] {
  return path.map((segment) => ('Key' in segment ? { key: segment.Key } : { typenames: segment.TypenameEquals }));
}

function rewritesOf(rewrites: FetchRewrite[]): Rewrite[] {
  return rewrites.map((rewrite): Rewrite => {
    if ('KeyRenamer' in rewrite) return { kind: 'KeyRenamer', path: stepsOf(rewrite.KeyRenamer.path), renameKeyTo: rewrite.KeyRenamer.renameKeyTo };
    const setter = 'ValueSetter' in rewrite ? rewrite.ValueSetter : rewrite;
    return { kind: 'ValueSetter', path: stepsOf(setter.path), setValueTo: setter.setValueTo };
  });
}

/** The name of a document's only operation (a request may leave operationName out). */
function operationNameOf(document: DocumentNode): string | undefined {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return operations.length === 1 ? operations[0]!.name?.value : undefined;
}

const INTROSPECTION = new Set(['__schema', '__type', '__typename']);

/**
 * The document with the operation's root introspection fields taken out (also inside root
 * fragments, which become inline fragments); undefined when nothing else is left to plan.
 */
function plannableDocument(document: DocumentNode, operationName: string | undefined): DocumentNode | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION && (operationName === undefined || definition.name?.value === operationName)) operation ??= definition;
  }
  if (!operation) return document;
  let changed = false;
  const strip = (selectionSet: SelectionSetNode): SelectionSetNode => {
    const selections = selectionSet.selections.flatMap((selection): SelectionNode[] => {
      if (selection.kind === Kind.FIELD) {
        if (!INTROSPECTION.has(selection.name.value)) return [selection];
        changed = true;
        return [];
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) return [selection];
      const inner = strip(fragment.selectionSet);
      if (inner === fragment.selectionSet) return [selection];
      changed = true;
      if (inner.selections.length === 0) return [];
      return [{ kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: selection.directives, selectionSet: inner }];
    });
    return selections.length === selectionSet.selections.length && selections.every((selection, index) => selection === selectionSet.selections[index]) ? selectionSet : { ...selectionSet, selections };
  };
  const selectionSet = strip(operation.selectionSet);
  if (!changed) return document;
  if (selectionSet.selections.length === 0) return undefined;
  return { ...document, definitions: document.definitions.map((definition) => (definition === operation ? { ...operation, selectionSet } : definition)) };
}
