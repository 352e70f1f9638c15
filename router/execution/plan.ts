import type { DocumentNode, GraphQLSchema } from 'graphql';
import { isAbstractType, isInterfaceType, isObjectType } from 'graphql';

/**
 * Query plans in the executor's own form. Both planners (planners/) turn theirs into this:
 * Apollo's plans map one to one; Hive's add BatchFetch, Flatten paths with type conditions,
 * and `requires` that read one key and write another.
 */

export type OperationKind = 'query' | 'mutation' | 'subscription';

/** A Flatten path: a field's response name, `@` for each item of a list, or a type condition that objects must satisfy. */
export type PathElement = string | { typeCondition: readonly string[] };

/**
 * A field of an entity's representation: read as `source` in the fetched data (Hive's planner
 * reads a field it aliased to avoid a conflict under its alias; `key` when absent), sent as `key`.
 */
export interface RequiredField {
  kind: 'Field';
  key: string;
  source: string;
  selections?: RequiredSelection[];
}

export interface RequiredFragment {
  kind: 'InlineFragment';
  typeCondition?: string;
  selections: RequiredSelection[];
}

export type RequiredSelection = RequiredField | RequiredFragment;

/** One step of a rewrite's path: a key, or a type condition the object must satisfy (or have no `__typename`). */
export type RewriteStep = { key: string } | { typenames: readonly string[] };

export type Rewrite = { kind: 'ValueSetter'; path: RewriteStep[]; setValueTo: string } | { kind: 'KeyRenamer'; path: RewriteStep[]; renameKeyTo: string };

export interface FetchNode {
  kind: 'Fetch';
  serviceName: string;
  operation: string;
  /** Apollo's planner names subgraph operations after the client's; Hive's leaves them anonymous. */
  operationName?: string;
  operationKind: OperationKind;
  /** The operation parsed, where the planner gives it (Apollo's). */
  document?: DocumentNode;
  variableUsages: readonly string[];
  requires?: RequiredSelection[];
  inputRewrites?: Rewrite[];
  outputRewrites?: Rewrite[];
}

/** Entity fetches to one subgraph sent as one request, each under an alias with its own representations variable (Hive's planner). */
export interface BatchFetchNode {
  kind: 'BatchFetch';
  serviceName: string;
  operation: string;
  operationName?: string;
  operationKind: OperationKind;
  variableUsages: readonly string[];
  aliases: BatchAlias[];
}

export interface BatchAlias {
  alias: string;
  /** The variable holding its representations; aliases with the same requires and paths share one. */
  variable: string;
  /** Where its entities are, from the root of the answer. */
  paths: PathElement[][];
  requires: RequiredSelection[];
  inputRewrites?: Rewrite[];
  outputRewrites?: Rewrite[];
}

export interface FlattenNode {
  kind: 'Flatten';
  path: PathElement[];
  node: PlanNode;
}

export interface ConditionNode {
  kind: 'Condition';
  condition: string;
  ifClause?: PlanNode;
  elseClause?: PlanNode;
}

export type PlanNode = FetchNode | BatchFetchNode | FlattenNode | ConditionNode | { kind: 'Sequence'; nodes: PlanNode[] } | { kind: 'Parallel'; nodes: PlanNode[] };

export interface SubscriptionPlanNode {
  kind: 'Subscription';
  primary: FetchNode;
  rest?: PlanNode;
}

export interface QueryPlan {
  node?: PlanNode | SubscriptionPlanNode;
}

type ResultMap = Record<string, unknown>;

const isObject = (value: unknown): value is ResultMap => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Sets a key of an object of the answer. A key `__proto__` (a client's alias, which subgraphs
 * answer under) becomes an own property: assigning it would set a plain object's prototype.
 */
export function setKey(target: ResultMap, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Merges `source` into `target` as @apollo/gateway does: objects key by key, lists of the same length item by item. */
export function deepMerge(target: ResultMap, source: unknown): ResultMap {
  if (!isObject(source)) return target;
  // for…in: no array of keys; sources are plain objects (parsed JSON, or built here) with no inherited keys.
  for (const key in source) {
    const value = source[key];
    if (value === undefined) continue;
    const existing = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
    if (existing && isObject(value)) {
      deepMerge(existing as ResultMap, value);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let i = 0; i < value.length; i++) {
        if (isObject(existing[i]) && isObject(value[i])) deepMerge(existing[i] as ResultMap, value[i]);
        else existing[i] = value[i];
      }
    } else {
      setKey(target, key, value);
    }
  }
  return target;
}

/**
 * Whether an object of the answer satisfies one of the type conditions: its `__typename` is one
 * of them, or a possible type of an abstract one. Without a `__typename`, `whenUnknown`.
 */
export function satisfies(schema: GraphQLSchema, value: ResultMap, conditions: readonly string[], whenUnknown: boolean): boolean {
  const typename = value.__typename;
  if (typeof typename !== 'string' || typename === '') return whenUnknown;
  return conditions.some((condition) => {
    if (condition === typename) return true;
    const type = schema.getType(typename);
    const conditionType = schema.getType(condition);
    return !!type && !!conditionType && isAbstractType(conditionType) && (isObjectType(type) || isInterfaceType(type)) && schema.isSubType(conditionType, type);
  });
}

/** Applies the rewrites to `value` (an entity, a representation or a fetch's data); lists are walked item by item. */
export function applyRewrites(schema: GraphQLSchema, rewrites: readonly Rewrite[] | undefined, value: unknown): void {
  if (!rewrites) return;
  for (const rewrite of rewrites) {
    const last = rewrite.path.at(-1);
    if (!last || !('key' in last)) continue;
    const apply = (object: ResultMap) => {
      if (rewrite.kind === 'ValueSetter') {
        object[last.key] = rewrite.setValueTo;
      } else if (object[last.key] !== undefined && rewrite.renameKeyTo !== last.key) {
        object[rewrite.renameKeyTo] = object[last.key];
        delete object[last.key];
      }
    };
    walk(schema, rewrite.path, 0, rewrite.path.length - 1, value, apply);
  }
}

function walk(schema: GraphQLSchema, path: RewriteStep[], index: number, end: number, value: unknown, apply: (object: ResultMap) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(schema, path, index, end, item, apply);
    return;
  }
  if (!isObject(value)) return;
  if (index === end) {
    apply(value);
    return;
  }
  const step = path[index]!;
  if ('key' in step) walk(schema, path, index + 1, end, Object.prototype.hasOwnProperty.call(value, step.key) ? value[step.key] : undefined, apply);
  else if (satisfies(schema, value, step.typenames, true)) walk(schema, path, index + 1, end, value, apply);
}
