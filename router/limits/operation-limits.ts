import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromAST,
  getOperationAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../../infra/errors.js';

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** Fields counted once each, times the page size of every list above them (`first`, `limit`). */
  maxCost: number;
}

interface Measure {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
}

/** Page-size arguments that multiply the cost of what is selected below a list field. */
const PAGE_ARGUMENTS = ['first', 'last', 'limit'];

function measure(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  parent: GraphQLCompositeType,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  multiplier: number,
  depth: number,
  seen: Set<string>,
): Measure {
  const total: Measure = { depth, aliases: 0, directives: 0, cost: 0 };
  const add = (part: Measure) => {
    total.depth = Math.max(total.depth, part.depth);
    total.aliases += part.aliases;
    total.directives += part.directives;
    total.cost += part.cost;
  };
  for (const selection of selectionSet.selections) {
    total.directives += selection.directives?.length ?? 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) total.aliases += 1;
      total.cost += multiplier;
      if (!selection.selectionSet) continue;
      const fieldDef = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      if (!fieldDef) continue;
      let pageSize = 1;
      if (isListType(getNullableType(fieldDef.type)) || fieldDef.args.some((arg) => PAGE_ARGUMENTS.includes(arg.name))) {
        for (const arg of fieldDef.args.filter((candidate) => PAGE_ARGUMENTS.includes(candidate.name))) {
          const node = selection.arguments?.find((argument) => argument.name.value === arg.name);
          const value = node ? valueFromAST(node.value, arg.type, variables) : arg.defaultValue;
          if (typeof value === 'number' && value > pageSize) pageSize = value;
        }
      }
      const child = getNamedType(fieldDef.type) as GraphQLCompositeType;
      add(measure(schema, selection.selectionSet, child, fragments, variables, multiplier * pageSize, depth + 1, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typed = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parent;
      add(measure(schema, selection.selectionSet, typed ?? parent, fragments, variables, multiplier, depth, seen));
    } else {
      const fragment = fragments.get(selection.name.value);
      // Validation rejects fragment cycles; `seen` only keeps a malformed document from looping here.
      if (!fragment || seen.has(fragment.name.value)) continue;
      const typed = schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined;
      add(measure(schema, fragment.selectionSet, typed ?? parent, fragments, variables, multiplier, depth, new Set([...seen, fragment.name.value])));
    }
  }
  return total;
}

function exceeded(limit: string, max: number, actual: number): GraphQLError {
  return new GraphQLError(`The operation's ${limit} is ${actual}, over the limit of ${max}`, {
    extensions: { code: ErrorCode.OperationLimitExceeded, limit, max, actual, http: { status: 400 } },
  });
}

/** What an operation comes to: its measure and its number of root fields. */
interface OperationMeasure extends Measure {
  rootFields: number;
}

/**
 * Measures of operations that declare no variables, which depend on the schema and the document
 * alone: worked out once per parsed document (Apollo Server keeps the parsed document of a query it
 * has seen, and the subscription planner its own).
 */
const constantMeasures = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string | null | undefined, OperationMeasure | undefined>>>();

function measureOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): OperationMeasure | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const constant = !operation.variableDefinitions?.length;
  const known = constant ? constantMeasures.get(schema)?.get(document) : undefined;
  if (known?.has(operationName)) return known.get(operationName);

  const fragments = new Map(
    document.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const root = schema.getRootType(operation.operation);
  const walked = root ? measure(schema, operation.selectionSet, root, fragments, variables, 1, 1, new Set()) : undefined;
  const measured = walked && { ...walked, directives: walked.directives + (operation.directives?.length ?? 0), rootFields: operation.selectionSet.selections.length };
  if (constant) {
    let byDocument = constantMeasures.get(schema);
    if (!byDocument) constantMeasures.set(schema, (byDocument = new WeakMap()));
    let byName = byDocument.get(document);
    if (!byName) byDocument.set(document, (byName = new Map()));
    byName.set(operationName, measured);
  }
  return measured;
}

/** Measures the document's operation against the limits; returns the first limit it is over, if any. */
export function checkOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  limits: OperationLimits,
): GraphQLError | undefined {
  const measured = measureOperation(schema, document, operationName, variables);
  if (!measured) return undefined;
  if (measured.depth > limits.maxDepth) return exceeded('depth', limits.maxDepth, measured.depth);
  if (measured.rootFields > limits.maxRootFields) return exceeded('root fields', limits.maxRootFields, measured.rootFields);
  if (measured.aliases > limits.maxAliases) return exceeded('aliases', limits.maxAliases, measured.aliases);
  if (measured.directives > limits.maxDirectives) return exceeded('directives', limits.maxDirectives, measured.directives);
  if (measured.cost > limits.maxCost) return exceeded('cost', limits.maxCost, measured.cost);
  return undefined;
}

/**
 * Refuses operations over the limits before anything is planned or fetched, with
 * OPERATION_LIMIT_EXCEEDED naming the limit, its maximum and the operation's value.
 */
export function operationLimitsPlugin<TContext extends BaseContext>(limits: OperationLimits): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          const error = checkOperation(schema, document, operationName, request.variables ?? {}, limits);
          if (error) throw error;
        },
      };
    },
  };
}
