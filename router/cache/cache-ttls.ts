import { Supergraph } from '@apollo/federation-internals';
import {
  getNamedType,
  getOperationAST,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { z } from 'zod';
import { ConfigError } from '../../infra/config.js';

/** One entry of RESPONSE_CACHE_TTLS: a type (`Product=60`) or a field (`Query.topProducts=30`), at most `seconds`. */
export interface CacheTtl {
  /** `Product` or `Query.topProducts`, as written. */
  coordinate: string;
  type: string;
  field?: string;
  seconds: number;
}

/** A year: longer than any answer should be kept. */
const MAX_TTL_SECONDS = 31_536_000;
const NAME = '[_A-Za-z][_0-9A-Za-z]*';
const ENTRY = new RegExp(`^(${NAME})(?:\\.(${NAME}))?\\s*=\\s*(\\d+)$`);

/**
 * RESPONSE_CACHE_TTLS as entries: `Coordinate=seconds` separated by commas, a coordinate being a
 * type name or `Type.field`. A malformed or repeated entry fails the variable, naming the entry.
 * Whether the names exist is checked against the supergraph at start (`CacheTtls`).
 */
export function parseCacheTtls(value: string, ctx: z.core.$RefinementCtx<string>): readonly CacheTtl[] {
  const entries: CacheTtl[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = ENTRY.exec(entry);
    const seconds = Number(match?.[3]);
    if (!match || seconds > MAX_TTL_SECONDS) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not Type=seconds or Type.field=seconds (whole seconds from 0 to ${MAX_TTL_SECONDS})` });
      return z.NEVER;
    }
    const [, type, field] = match as unknown as [string, string, string | undefined];
    const coordinate = field === undefined ? type : `${type}.${field}`;
    if (entries.some((earlier) => earlier.coordinate === coordinate)) {
      ctx.addIssue({ code: 'custom', message: `${coordinate} is given twice` });
      return z.NEVER;
    }
    entries.push(Object.freeze({ coordinate, type, field, seconds }));
  }
  return Object.freeze(entries);
}

/**
 * RESPONSE_CACHE_TTLS checked against the supergraph, ready to apply: for each operation, the
 * fewest seconds of any type or field it may put in its answer (`forOperation`).
 *
 * Which types an answer holds is read from the operation, not from the answer's `__typename`s:
 * every object of an answer sits under a selected field whose type is the object's type or an
 * interface or union it belongs to, so counting each selected field's type, and every possible
 * type of an abstract one, never misses a type the answer holds. It is exact for fields of object
 * types and errs on the short side for abstract ones (`search: [SearchResult]` counts Product
 * even when only customers come back), as it does for a selection that turns out null or is
 * skipped. In exchange it is worked out once per operation, with no walk of each answer and no
 * `__typename` added to every selection (which would change the plan).
 */
export class CacheTtls {
  /** Seconds by object type; an interface's or union's entry is given to each of its object types. */
  private readonly byType = new Map<string, number>();
  /** Seconds by `Type.field`; an interface field's entry is also given to that field of each implementation. */
  private readonly byField = new Map<string, number>();

  /** Throws a ConfigError naming every entry that names no type or field of `schema` (the supergraph's API schema). */
  constructor(entries: readonly CacheTtl[], schema: GraphQLSchema) {
    const shorten = (map: Map<string, number>, key: string, seconds: number) => map.set(key, Math.min(seconds, map.get(key) ?? seconds));
    const problems: string[] = [];
    for (const { coordinate, type: typeName, field, seconds } of entries) {
      const type = schema.getType(typeName);
      if (!type || typeName.startsWith('__')) {
        problems.push(`${coordinate}: ${typeName} names no type of the supergraph`);
      } else if (field === undefined) {
        if (!isCompositeType(type)) problems.push(`${coordinate}: ${typeName} is not a type of objects (an object type, interface or union); name a field that returns it instead`);
        else for (const object of isAbstractType(type) ? schema.getPossibleTypes(type) : [type]) shorten(this.byType, object.name, seconds);
      } else if (!(isObjectType(type) || isInterfaceType(type)) || !type.getFields()[field]) {
        problems.push(`${coordinate}: names no field of the supergraph (${typeName} has ${isObjectType(type) || isInterfaceType(type) ? Object.keys(type.getFields()).join(', ') : 'no fields'})`);
      } else {
        for (const owner of isInterfaceType(type) ? [type, ...schema.getPossibleTypes(type)] : [type]) shorten(this.byField, `${owner.name}.${field}`, seconds);
      }
    }
    if (problems.length > 0) {
      const value = entries.map((entry) => `${entry.coordinate}=${entry.seconds}`).join(',');
      throw new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  RESPONSE_CACHE_TTLS=${JSON.stringify(value)}: ${problem}`).join('\n')}`);
    }
  }

  /** The entries checked against a supergraph's API schema; undefined when there are none. */
  static fromSupergraph(entries: readonly CacheTtl[], supergraphSdl: string): CacheTtls | undefined {
    if (entries.length === 0) return undefined;
    return new CacheTtls(entries, Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema());
  }

  /**
   * The fewest seconds of any entry that applies to this operation of `document`: its root type,
   * the type of every field it selects (each possible object type of an abstract one) and every
   * field it selects, under fragments too. Undefined when none applies.
   */
  forOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): number | undefined {
    const operation = getOperationAST(document, operationName);
    const root = operation && schema.getRootType(operation.operation);
    if (!operation || !root) return undefined;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

    let ttl: number | undefined;
    const apply = (seconds: number | undefined) => {
      if (seconds !== undefined && (ttl === undefined || seconds < ttl)) ttl = seconds;
    };
    const applyType = (type: GraphQLNamedType) => {
      for (const object of isAbstractType(type) ? schema.getPossibleTypes(type) : [type]) apply(this.byType.get(object.name));
    };
    // A named fragment's fields do not depend on where it is spread: each is walked once.
    const walked = new Set<string>();
    const visit = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType) => {
      for (const selection of selectionSet.selections) {
        if (selection.kind !== Kind.FIELD) {
          const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
          if (!fragment) continue;
          if (selection.kind === Kind.FRAGMENT_SPREAD) {
            if (walked.has(selection.name.value)) continue;
            walked.add(selection.name.value);
          }
          const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
          if (condition && isCompositeType(condition)) visit(fragment.selectionSet, condition);
          continue;
        }
        const name = selection.name.value;
        // __typename and introspection: no subgraph answers them.
        if (name.startsWith('__') || isUnionType(parent)) continue;
        const field = parent.getFields()[name];
        if (!field) continue;
        for (const owner of isAbstractType(parent) ? [parent, ...schema.getPossibleTypes(parent)] : [parent]) apply(this.byField.get(`${owner.name}.${name}`));
        const target = getNamedType(field.type);
        applyType(target);
        if (selection.selectionSet && isCompositeType(target)) visit(selection.selectionSet, target);
      }
    };
    applyType(root);
    visit(operation.selectionSet, root);
    return ttl;
  }
}
