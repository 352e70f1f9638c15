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
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type GraphQLField,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { RouterConfig } from '../config.js';
import { ErrorCode } from '../../infra/errors.js';
import { PerOperation } from '../../infra/graphql/per-operation.js';

export interface OperationLimits {
  maxDepth: number;
  /** Depth below `__schema` and `__type` (the standard introspection query, Apollo Sandbox's, is 15 deep). */
  maxIntrospectionDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** Fields counted once each, times the page size of every list above them (`first`, `limit`). */
  maxCost: number;
  /**
   * Selections (fields, inline fragments and fragment spreads) the operation comes to with every
   * fragment spread expanded where it is spread: what a naive walk of it would visit.
   */
  maxSelections: number;
}

/**
 * What a selection set comes to, relative to where it stands: `depth` counts its own level,
 * `cost` is at a multiplier of 1 (a list above multiplies it), `fields` are the fields at its
 * own level once fragments are expanded (the root fields, for the operation's selection set).
 */
interface Measure {
  depth: number;
  /** Depth counted from the operation's root through `__schema` or `__type`. */
  introspectionDepth: number;
  aliases: number;
  directives: number;
  cost: number;
  selections: number;
  fields: number;
}

/** What an operation comes to. */
interface OperationMeasure extends Omit<Measure, 'fields'> {
  rootFields: number;
}

/** A field of `parent`, the introspection fields `__schema` and `__type` included (they are in no type's fields). */
function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === SchemaMetaFieldDef.name && parent === schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === TypeMetaFieldDef.name && parent === schema.getQueryType()) return TypeMetaFieldDef;
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/** Page-size arguments that multiply the cost of what is selected below a list field. */
const PAGE_ARGUMENTS = ['first', 'last', 'limit'];

const EMPTY: Measure = Object.freeze({ depth: 0, introspectionDepth: 0, aliases: 0, directives: 0, cost: 0, selections: 0, fields: 0 });

/**
 * Measures an operation in time linear in its text, whatever its fragments do: each fragment is
 * measured once per type it is spread on, and a spread adds that measure (scaled by the lists
 * above it) instead of walking the fragment again. Sums may grow exponentially (30 fragments
 * each spreading the next twice come to 2^30 selections); their computation does not. Numbers
 * past 2^53 lose precision and past 1e308 become Infinity, both still over any limit.
 */
function measureOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): OperationMeasure | null {
  const operation = getOperationAST(document, operationName);
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // By fragment and type; `null` while a fragment is being measured (a cycle, which validation
  // rejects, counts as empty rather than looping).
  const measuredFragments = new Map<string, Measure | null>();

  const measure = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): Measure => {
    const total = { depth: 1, introspectionDepth: 0, aliases: 0, directives: 0, cost: 0, selections: 0, fields: 0 };
    const add = (part: Measure, multiplier: number, deeper: number) => {
      total.depth = Math.max(total.depth, part.depth + deeper);
      total.introspectionDepth = Math.max(total.introspectionDepth, part.introspectionDepth && part.introspectionDepth + deeper);
      total.aliases += part.aliases;
      total.directives += part.directives;
      total.cost += part.cost * multiplier;
      total.selections += part.selections;
    };
    for (const selection of selectionSet.selections) {
      total.selections += 1;
      total.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        total.fields += 1;
        total.cost += 1;
        if (selection.alias) total.aliases += 1;
        if (!selection.selectionSet) continue;
        const fieldDef = fieldDefinition(schema, parent, selection.name.value);
        if (!fieldDef) continue;
        let pageSize = 1;
        if (isListType(getNullableType(fieldDef.type)) || fieldDef.args.some((arg) => PAGE_ARGUMENTS.includes(arg.name))) {
          for (const arg of fieldDef.args) {
            if (!PAGE_ARGUMENTS.includes(arg.name)) continue;
            const node = selection.arguments?.find((argument) => argument.name.value === arg.name);
            const value = node ? valueFromAST(node.value, arg.type, variables) : arg.defaultValue;
            if (typeof value === 'number' && value > pageSize) pageSize = value;
          }
        }
        const child = measure(selection.selectionSet, getNamedType(fieldDef.type) as GraphQLCompositeType);
        // Everything below __schema and __type is introspection, measured against its own depth limit.
        const introspection = fieldDef === SchemaMetaFieldDef || fieldDef === TypeMetaFieldDef;
        add(introspection ? { ...child, depth: 0, introspectionDepth: Math.max(child.depth, child.introspectionDepth) } : child, pageSize, 1);
      } else {
        const typeName = selection.kind === Kind.INLINE_FRAGMENT ? selection.typeCondition?.name.value : fragments.get(selection.name.value)?.typeCondition.name.value;
        const typed = ((typeName && schema.getType(typeName)) || parent) as GraphQLCompositeType;
        const part = selection.kind === Kind.INLINE_FRAGMENT ? measure(selection.selectionSet, typed) : fragmentMeasure(selection.name.value, typed);
        add(part, 1, 0);
        total.fields += part.fields;
      }
    }
    return total;
  };

  const fragmentMeasure = (name: string, typed: GraphQLCompositeType): Measure => {
    const fragment = fragments.get(name);
    if (!fragment) return EMPTY;
    const key = `${name}\n${typed.name}`;
    const known = measuredFragments.get(key);
    if (known !== undefined) return known ?? EMPTY;
    measuredFragments.set(key, null);
    const measured = measure(fragment.selectionSet, typed);
    measuredFragments.set(key, measured);
    return measured;
  };

  const { fields, ...measured } = measure(operation.selectionSet, root);
  return { ...measured, directives: measured.directives + (operation.directives?.length ?? 0), rootFields: fields };
}

function exceeded(limit: string, max: number, actual: number): GraphQLError {
  return new GraphQLError(`The operation's ${limit} is ${actual}, over the limit of ${max}`, {
    extensions: { code: ErrorCode.OperationLimitExceeded, limit, max, actual, http: { status: 400 } },
  });
}

/**
 * The operation limits of one router. Operations that declare no variables depend on the schema
 * and the document alone, so they are measured once per parsed document (Apollo Server keeps the
 * parsed document of a query it has seen, and the subscription planner its own).
 */
export class OperationLimiter {
  private readonly constant = new PerOperation((document, operationName, schema: GraphQLSchema) => measureOperation(schema, document, operationName, {}));

  constructor(readonly limits: OperationLimits) {}

  /** Measures the document's operation against the limits; returns the first limit it is over, if any. */
  check(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown>): GraphQLError | undefined {
    const operation = getOperationAST(document, operationName);
    let measured: OperationMeasure | null;
    if (operation?.variableDefinitions?.length) {
      measured = measureOperation(schema, document, operationName, variables);
    } else {
      measured = this.constant.get(document, operationName, schema);
    }
    if (!measured) return undefined;
    const limits = this.limits;
    if (measured.selections > limits.maxSelections) return exceeded('selections', limits.maxSelections, measured.selections);
    if (measured.depth > limits.maxDepth) return exceeded('depth', limits.maxDepth, measured.depth);
    if (measured.introspectionDepth > limits.maxIntrospectionDepth) return exceeded('depth', limits.maxIntrospectionDepth, measured.introspectionDepth);
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
  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
    const limiter = this;
    return {
      async requestDidStart() {
        return {
          async didResolveOperation({ schema, document, operationName, request }) {
            const error = limiter.check(schema, document, operationName, request.variables ?? {});
            if (error) throw error;
          },
        };
      },
    };
  }
}

/** The router's operation limits, from its configuration. */
export function operationLimiterFromConfig(config: RouterConfig): OperationLimiter {
  return new OperationLimiter({
    maxDepth: config.OPERATION_MAX_DEPTH,
    maxIntrospectionDepth: config.OPERATION_MAX_INTROSPECTION_DEPTH,
    maxAliases: config.OPERATION_MAX_ALIASES,
    maxRootFields: config.OPERATION_MAX_ROOT_FIELDS,
    maxDirectives: config.OPERATION_MAX_DIRECTIVES,
    maxCost: config.OPERATION_MAX_COST,
    maxSelections: config.OPERATION_MAX_SELECTIONS,
  });
}

/** What the parser stops at (tokens) and Apollo Server's validation counts (expanded selections). */
export interface ParserLimits {
  maxTokens: number;
  maxSelections: number;
}

/** A graphql-js parse error for a document over `maxTokens`. */
export function isTokenLimitError(message: string): boolean {
  return /tokens\. Parsing aborted/.test(message);
}

/**
 * The limits Apollo Server checks itself, while parsing (graphql-js stops past `maxTokens`) and
 * validating (`maxRecursiveSelections`): said with the same code and fields as the router's own.
 */
export function parserLimitError(formatted: GraphQLFormattedError, limits: ParserLimits): GraphQLFormattedError {
  if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(formatted.message)) {
    return {
      message: `The operation has more than ${limits.maxTokens} tokens, over the limit`,
      extensions: { ...formatted.extensions, code: ErrorCode.OperationLimitExceeded, limit: 'tokens', max: limits.maxTokens },
    };
  }
  if (formatted.extensions?.validationErrorCode === 'MAX_RECURSIVE_SELECTIONS_EXCEEDED') {
    const { validationErrorCode: _code, ...extensions } = formatted.extensions;
    return {
      message: `The operation comes to more than ${limits.maxSelections} selections with its fragments expanded, over the limit`,
      extensions: { ...extensions, code: ErrorCode.OperationLimitExceeded, limit: 'selections', max: limits.maxSelections },
    };
  }
  return formatted;
}
