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
import { PerOperation } from '../../infra/graphql/per-operation.js';
import type { AccessRequirements, AccessRule } from './access-requirements.js';

/** A rule the operation meets somewhere: the first place it is selected. */
interface Need {
  rule: AccessRule;
  /** `Type.field`, or `Type` for a rule on a type. */
  coordinate: string;
  /** The response path of the first selection that needs it (aliases as the client wrote them). */
  path: readonly string[];
}

export interface AccessDenial {
  code: ErrorCode.Unauthenticated | ErrorCode.Forbidden;
  coordinate: string;
  path: readonly string[];
  /** The rule's scope sets (any one set, in full); empty for `@authenticated` alone. */
  requiredScopes: readonly (readonly string[])[];
}

/**
 * The rules an operation meets, each with the first place it is selected. Each fragment is walked
 * once per type it is spread on and its needs reused at every spread (with the spread's path in
 * front), so the walk is linear in the document's text however its fragments fan out.
 */
function collectNeeds(requirements: AccessRequirements, schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): readonly Need[] {
  const operation = getOperationAST(document, operationName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const typeRule = (name: string) => requirements.types.get(name);
  const fieldRule = (type: string, field: string) => requirements.fields.get(type)?.get(field);
  // By fragment and type, with paths relative to the spread; empty while being walked (a cycle,
  // which validation rejects, adds nothing rather than looping).
  const fragmentNeeds = new Map<string, Map<AccessRule, Need>>();

  /** The needs of a selection set, one entry per rule (the first place it is met), paths relative to `path`. */
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, path: readonly string[], needs: Map<AccessRule, Need>): void => {
    const need = (rule: AccessRule | undefined, coordinate: string, at: readonly string[]) => {
      if (rule && !needs.has(rule)) needs.set(rule, { rule, coordinate, path: at });
    };
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
        if (selection.selectionSet) walk(selection.selectionSet, returned as GraphQLCompositeType, fieldPath, needs);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, (typed ?? parent) as GraphQLCompositeType, path, needs);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const typed = (schema.getType(fragment.typeCondition.name.value) ?? parent) as GraphQLCompositeType;
        const key = `${fragment.name.value}\n${typed.name}`;
        let own = fragmentNeeds.get(key);
        if (!own) {
          fragmentNeeds.set(key, (own = new Map()));
          walk(fragment.selectionSet, typed, [], own);
        }
        for (const found of own.values()) need(found.rule, found.coordinate, [...path, ...found.path]);
      }
    }
  };
  const needs = new Map<AccessRule, Need>();
  walk(operation.selectionSet, root, [], needs);
  return [...needs.values()];
}

/** An operation's needs depend only on the rules, the schema and the document, so they are worked out once per parsed document. */
const needsByRequirements = new WeakMap<AccessRequirements, PerOperation<readonly Need[], GraphQLSchema>>();

function needsOf(requirements: AccessRequirements, schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): readonly Need[] {
  let needs = needsByRequirements.get(requirements);
  if (!needs) needsByRequirements.set(requirements, (needs = new PerOperation((doc, name, validatedBy) => collectNeeds(requirements, validatedBy, doc, name))));
  return needs.get(document, operationName, schema);
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
