import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, valueFromASTUntyped, type ConstDirectiveNode, type GraphQLObjectType } from 'graphql';
import { ErrorCode } from '../errors.js';
import type { RequestContext } from './request-plugin.js';
import { rootFields } from './root-fields.js';

/** Any one of these sets of scopes, each whole: `@requiresScopes(scopes: [["a", "b"], ["c"]])`. */
type ScopeRule = readonly (readonly string[])[];

/**
 * A subgraph's own check of the `@requiresScopes` on its root fields (Query.apiKeys,
 * Mutation.createApiKey), against the principal of the verified internal header. The router
 * checks the same rules before it calls any subgraph; this is defence in depth, so that a
 * captured internal header of a caller without the scopes, replayed straight at the subgraph,
 * gets FORBIDDEN (HTTP 403) and nothing runs. A refused operation is refused whole, before
 * execution, with the router's error shape: `extensions.requiredScopes` (the fewest missing of
 * any one set) and `extensions.fields`. Root fields in fragments count, and so do fields that
 * `@skip`/`@include` would leave out. Rules on types and nested fields are the router's alone.
 */
export function requiredScopesPlugin<TContext extends RequestContext>(): ApolloServerPlugin<TContext> {
  // Rules by root type, read once from the schema's SDL (field AST nodes keep their directives).
  const rules = new WeakMap<GraphQLObjectType, ReadonlyMap<string, ScopeRule>>();
  const rulesOf = (root: GraphQLObjectType) => {
    let found = rules.get(root);
    if (!found) {
      found = new Map(
        Object.values(root.getFields()).flatMap((field) => {
          const rule = requiresScopes(field.astNode?.directives);
          return rule ? [[field.name, rule] as const] : [];
        }),
      );
      rules.set(root, found);
    }
    return found;
  };

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, operation, operationName, document, contextValue }) {
          const root = operation && schema.getRootType(operation.operation);
          if (!operation || !root) return;
          const scopes = contextValue.principal?.scopes ?? [];
          const refused: { coordinate: string; missing: readonly string[] }[] = [];
          for (const coordinate of rootFields(schema, document, operationName)) {
            const rule = rulesOf(root).get(coordinate.slice(root.name.length + 1));
            if (!rule || rule.some((set) => set.every((scope) => scopes.includes(scope)))) continue;
            refused.push({ coordinate, missing: fewestMissing(rule, scopes) });
          }
          if (refused.length === 0) return;
          const fields = refused.map((denial) => denial.coordinate);
          const requiredScopes = [...new Set(refused.flatMap((denial) => denial.missing))];
          throw new GraphQLError(`Missing scope ${requiredScopes.join(', ')} for ${fields.join(', ')}`, {
            extensions: { code: ErrorCode.Forbidden, requiredScopes, fields, http: { status: 403 } },
          });
        },
      };
    },
  };
}

/** The `scopes` of a `@requiresScopes` among `directives`; undefined without one. */
function requiresScopes(directives: readonly ConstDirectiveNode[] | undefined): ScopeRule | undefined {
  const directive = directives?.find((candidate) => candidate.name.value === 'requiresScopes');
  if (!directive) return undefined;
  const argument = directive.arguments?.find((candidate) => candidate.name.value === 'scopes');
  const value: unknown = argument ? valueFromASTUntyped(argument.value) : undefined;
  // A rule that cannot be read asks for a scope nobody has: it refuses rather than lets through.
  if (!Array.isArray(value)) return [['(unreadable @requiresScopes)']];
  return value.map((set: unknown) => (Array.isArray(set) ? set.map(String) : [String(set)]));
}

/** The scopes missing from `scopes` for `rule`: the fewest of any one of its sets. */
function fewestMissing(rule: ScopeRule, scopes: readonly string[]): readonly string[] {
  let fewest: readonly string[] | undefined;
  for (const set of rule) {
    const missing = set.filter((scope) => !scopes.includes(scope));
    if (!fewest || missing.length < fewest.length) fewest = missing;
  }
  return fewest ?? [];
}
