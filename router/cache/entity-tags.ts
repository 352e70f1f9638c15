import {
  Kind,
  TypeInfo,
  getNamedType,
  getNullableType,
  isAbstractType,
  isListType,
  isObjectType,
  parse,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionNode,
} from 'graphql';
import { entityTag, listTag, typeTag } from './cache-store.js';

/** Entity types by name, with the fields of the key the cache tags them by (`id`). */
export type EntityKeys = ReadonlyMap<string, readonly string[]>;

/** Selections the cache adds to an operation carry this prefix and are removed before the client sees them. */
const ADDED = '_ic_';
const TYPENAME = `${ADDED}t`;
const keyAlias = (field: string) => `${ADDED}k_${field}`;

/**
 * Each entity type's first key made only of top-level fields, from the supergraph's
 * `@join__type(key:)`. Types whose keys all nest selections are left out (not tagged).
 */
export function entityKeysFromSupergraph(supergraphSdl: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'join__type' || keys.has(definition.name.value)) continue;
      const key = directive.arguments?.find((argument) => argument.name.value === 'key')?.value;
      if (key?.kind !== Kind.STRING || /[{}]/.test(key.value)) continue;
      keys.set(definition.name.value, key.value.trim().split(/\s+/));
    }
  }
  return keys;
}

export interface TaggedOperation {
  /** The operation with `__typename` and key fields added (under `_ic_` aliases) wherever an entity may appear. */
  document: DocumentNode;
  /** `list:T` for each entity type T the operation lists (directly, or as a connection's nodes). */
  listTags: string[];
}

const field = (alias: string, name: string): FieldNode => ({
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: alias },
  name: { kind: Kind.NAME, value: name },
});

/**
 * Rewrites a validated operation so that its result names every entity it holds: each selection
 * set whose type is an entity, or may be one (interfaces, unions), also selects `__typename` and
 * the key fields under aliases that `collectEntityTags` reads and removes. The query planner
 * fetches them like any other field.
 */
export function tagOperation(schema: GraphQLSchema, document: DocumentNode, keys: EntityKeys): TaggedOperation {
  const typeInfo = new TypeInfo(schema);
  const lists = new Set<string>();

  const entityTypesOf = (type: GraphQLNamedType | undefined): string[] => {
    if (!type) return [];
    if (isAbstractType(type)) return schema.getPossibleTypes(type).flatMap((possible) => entityTypesOf(possible));
    return keys.has(type.name) ? [type.name] : [];
  };
  /** Entity types listed by a field of this type: a list of entities, of edges with a `node`, or a connection. */
  const listedBy = (type: GraphQLOutputType): string[] => {
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const item = getNamedType(nullable);
      const node = isObjectType(item) ? item.getFields().node : undefined;
      return [...entityTypesOf(item), ...(node ? entityTypesOf(getNamedType(node.type)) : [])];
    }
    if (!isObjectType(nullable)) return [];
    const { edges, nodes } = nullable.getFields();
    return [edges, nodes].flatMap((connectionField) => (connectionField ? listedBy(connectionField.type) : []));
  };

  const withKeys = (typename: string): SelectionNode[] =>
    (keys.get(typename) ?? []).map((key) => field(keyAlias(key), key));

  const rewritten = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const type = typeInfo.getType();
        if (type) for (const typename of listedBy(type)) lists.add(listTag(typename));
      },
      SelectionSet: {
        leave(selectionSet) {
          const parent = typeInfo.getParentType();
          if (!parent) return undefined;
          if (isObjectType(parent)) {
            if (!keys.has(parent.name)) return undefined;
            return { ...selectionSet, selections: [...selectionSet.selections, field(TYPENAME, '__typename'), ...withKeys(parent.name)] };
          }
          const entities = entityTypesOf(parent);
          if (entities.length === 0) return undefined;
          const fragments = entities.map(
            (typename): InlineFragmentNode => ({
              kind: Kind.INLINE_FRAGMENT,
              typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: typename } },
              selectionSet: { kind: Kind.SELECTION_SET, selections: withKeys(typename) },
            }),
          );
          return { ...selectionSet, selections: [...selectionSet.selections, field(TYPENAME, '__typename'), ...fragments] };
        },
      },
    }),
  );
  return { document: rewritten, listTags: [...lists] };
}

/**
 * Removes what `tagOperation` added from a result, in place, and returns the tags of every
 * entity in it: `Order:42`, and `type:Order` for its type.
 */
export function collectEntityTags(data: unknown, keys: EntityKeys): string[] {
  const tags = new Set<string>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    const object = value as Record<string, unknown>;
    const typename = object[TYPENAME];
    if (typeof typename === 'string') {
      const keyFields = keys.get(typename);
      const values = keyFields?.map((key) => object[keyAlias(key)]);
      if (values && values.every((part) => part !== null && part !== undefined)) {
        tags.add(entityTag(typename, values.join(',')));
        tags.add(typeTag(typename));
      }
    }
    for (const name of Object.keys(object)) {
      if (name.startsWith(ADDED)) delete object[name];
      else walk(object[name]);
    }
  };
  walk(data);
  return [...tags];
}
