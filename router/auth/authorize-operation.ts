import {
  getNamedType,
  getOperationAST,
  GraphQLError,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Principal } from '../../infra/auth/principal.js';
import { ErrorCode } from '../../infra/errors.js';
import type { AccessRequirements, AccessRule } from './access-requirements.js';

/** A rule the operation meets somewhere: the first place it is selected. */
interface Need {
  rule: AccessRule;
  /** `Type.field`, or `Type` for a rule on a type. */
  coordinate: string;
  /** The response path of the first selection that needs it (aliases as the client wrote them). */
  path: readonly string[];
}

/** An operation's needs depend only on the document, so they are worked out once per parsed document. */
const needsByRequirements = new WeakMap<AccessRequirements, WeakMap<DocumentNode, Map<string, readonly Need[]>>>();

export interface AccessDenial {
  code: ErrorCode.Unauthenticated | ErrorCode.Forbidden;
  coordinate: string;
  path: readonly string[];
  /** The rule's scope sets (any one set, in full); empty for `@authenticated` alone. */
  requiredScopes: readonly (readonly string[])[];
}

function collectNeeds(requirements: AccessRequirements, schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): readonly Need[] {
  const operation = getOperationAST(document, operationName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // One entry per rule: an operation that meets a rule twice is refused for it once.
  const needs = new Map<AccessRule, Need>();
  const need = (rule: AccessRule | undefined, coordinate: string, path: readonly string[]) => {
    if (rule && !needs.has(rule)) needs.set(rule, { rule, coordinate, path });
  };
  const typeRule = (name: string) => requirements.types.get(name);
  const fieldRule = (type: string, field: string) => requirements.fields.get(type)?.get(field);

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: readonly string[], inFragments: ReadonlySet<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const fieldPath = [...path, selection.alias?.value ?? name];
        need(typeRule(parent.name), parent.name, fieldPath);
        need(fieldRule(parent.name, name), `${parent.name}.${name}`, fieldPath);
        // Through an interface the field may resolve on any implementation: each one's rules apply.
        if (isAbstractType(parent)) {
          for (const possible of schema.getPossibleTypes(parent)) {
            need(typeRule(possible.name), possible.name, fieldPath);
            need(fieldRule(possible.name, name), `${possible.name}.${name}`, fieldPath);
          }
        }
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!definition) continue;
        const returned = getNamedType(definition.type);
        need(typeRule(returned.name), returned.name, fieldPath);
        if (selection.selectionSet) walk(selection.selectionSet, returned as GraphQLCompositeType, fieldPath, inFragments);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, (typed ?? parent) as GraphQLCompositeType, path, inFragments);
      } else {
        const fragment = fragments.get(selection.name.value);
        // Validation rejects fragment cycles; the set only keeps an unvalidated document from looping.
        if (!fragment || inFragments.has(fragment.name.value)) continue;
        const typed = schema.getType(fragment.typeCondition.name.value) ?? parent;
        walk(fragment.selectionSet, typed as GraphQLCompositeType, path, new Set([...inFragments, fragment.name.value]));
      }
    }
  };
  walk(operation.selectionSet, root, [], new Set());
  return [...needs.values()];
}

function needsOf(requirements: AccessRequirements, schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): readonly Need[] {
  let byDocument = needsByRequirements.get(requirements);
  if (!byDocument) needsByRequirements.set(requirements, (byDocument = new WeakMap()));
  let byOperation = byDocument.get(document);
  if (!byOperation) byDocument.set(document, (byOperation = new Map()));
  const key = operationName ?? '';
  let needs = byOperation.get(key);
  if (!needs) byOperation.set(key, (needs = collectNeeds(requirements, schema, document, operationName)));
  return needs;
}

/**
 * What `principal` may not select in the operation: every `@authenticated` or `@requiresScopes`
 * rule on a type or field the operation selects (through fragments and abstract types too) that
 * the principal does not meet. Empty when the operation may run. Pure; the walk is done once per
 * parsed document, so a repeated operation costs one scope check per rule it meets.
 */
export function authorizeOperation(
  requirements: AccessRequirements,
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  principal: Principal | undefined,
): AccessDenial[] {
  if (requirements.empty) return [];
  const denials: AccessDenial[] = [];
  for (const { rule, coordinate, path } of needsOf(requirements, schema, document, operationName)) {
    if (!principal) {
      denials.push({ code: ErrorCode.Unauthenticated, coordinate, path, requiredScopes: rule.scopes });
    } else if (rule.scopes.length > 0 && !rule.scopes.some((set) => set.every((scope) => principal.scopes.includes(scope)))) {
      denials.push({ code: ErrorCode.Forbidden, coordinate, path, requiredScopes: rule.scopes });
    }
  }
  return denials;
}

/** The scopes `principal` lacks for `denial`: the fewest of any one of its sets. */
function missingScopes(denial: AccessDenial, principal: Principal | undefined): readonly string[] {
  let fewest: readonly string[] | undefined;
  for (const set of denial.requiredScopes) {
    const missing = set.filter((scope) => !principal?.scopes.includes(scope));
    if (!fewest || missing.length < fewest.length) fewest = missing;
  }
  return fewest ?? [];
}

/**
 * One error for a refused operation: UNAUTHENTICATED (HTTP 401) when a caller without
 * credentials selected something protected, else FORBIDDEN (HTTP 403) naming the missing scopes.
 * `path` is the first refused selection; `extensions.fields` lists every refused type or field.
 */
export function accessDeniedError(denials: readonly AccessDenial[], principal: Principal | undefined): GraphQLError {
  const fields = [...new Set(denials.map((denial) => denial.coordinate))];
  if (denials.some((denial) => denial.code === ErrorCode.Unauthenticated)) {
    return new GraphQLError(`Credentials are required to read ${fields.join(', ')}`, {
      path: denials[0]!.path,
      extensions: { code: ErrorCode.Unauthenticated, reason: 'credentials required', fields, http: { status: 401 } },
    });
  }
  const requiredScopes = [...new Set(denials.flatMap((denial) => missingScopes(denial, principal)))];
  return new GraphQLError(`Missing scope ${requiredScopes.join(', ')} for ${fields.join(', ')}`, {
    path: denials[0]!.path,
    extensions: { code: ErrorCode.Forbidden, requiredScopes, fields, http: { status: 403 } },
  });
}
