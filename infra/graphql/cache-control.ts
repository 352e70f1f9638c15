import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getOperationAST,
  isCompositeType,
  Kind,
  type ConstDirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { PerOperation } from './per-operation.js';

/**
 * The Cache-Control header of a subgraph's answer, from the `@cacheControl` hints in its SDL,
 * worked out once per operation instead of once per resolved field.
 *
 * Apollo Server's own cache-control plugin wraps every resolver of the schema to collect hints as
 * fields resolve; in the hub's subgraphs that wrapping cost about a third of their CPU. The hints
 * are static (no resolver sets one at run time), so the same policy follows from the operation:
 * the rules are Apollo Server's (a field's hint, else its type's, `inheritMaxAge`, root fields
 * and object fields without a hint uncacheable) and `_entities` takes the hints of the entity
 * types it selects, as @apollo/subgraph does. Every field the operation selects counts, also one
 * under a fragment or a parent that turns out null, so the policy is never looser than Apollo
 * Server's; the header is written by Apollo Server's rules (`max-age=N, public|private` or
 * `no-store`, never for an answer with errors).
 */
export function staticCacheControlPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  let policies: OperationPolicies | undefined;
  return {
    async serverWillStart({ schema }) {
      policies = new OperationPolicies(schema);
    },
    async requestDidStart() {
      return {
        async willSendResponse({ document, operationName, overallCachePolicy, response }) {
          if (document && policies) overallCachePolicy.restrict(policies.byOperation.get(document, operationName));
          const existing = response.http.headers.get('cache-control');
          const hint = existing === undefined ? undefined : parseCacheControl(existing);
          if (hint === 'unparsable') return;
          const policy = { maxAge: overallCachePolicy.maxAge, scope: overallCachePolicy.scope };
          if (hint && hint !== 'no-store') restrict(policy, hint);
          const cacheable = policy.maxAge !== undefined && policy.maxAge > 0;
          const ok = response.body.kind === 'single' && !response.body.singleResult.errors;
          response.http.headers.set('cache-control', cacheable && hint !== 'no-store' && ok ? `max-age=${policy.maxAge}, ${(policy.scope ?? 'PUBLIC').toLowerCase()}` : 'no-store');
        },
      };
    },
  };
}

interface CacheHint {
  maxAge?: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

type Hint = CacheHint & { inheritMaxAge?: boolean };

class OperationPolicies {
  private readonly typeHints = new Map<GraphQLNamedType, Hint>();
  private readonly fieldHints = new Map<GraphQLField<unknown, unknown>, Hint>();
  readonly byOperation = new PerOperation((document, operationName) => this.compute(document, operationName));

  constructor(private readonly schema: GraphQLSchema) {}

  private compute(document: DocumentNode, operationName: string | undefined): CacheHint {
    const operation = getOperationAST(document, operationName);
    const root = operation && this.schema.getRootType(operation.operation);
    const overall: CacheHint = {};
    if (!operation || !root) return overall;
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;

    // The overall policy only ever narrows (the shortest maxAge, PRIVATE over PUBLIC), so a fragment
    // spread again on the same type adds nothing: each is walked once, however often it is spread
    // (linear in the document, whatever its fragments fan out to; a cycle ends too).
    const walked = new Set<string>();
    const visit = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, isRoot: boolean) => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
          if (!fragment) continue;
          const condition = fragment.typeCondition ? this.schema.getType(fragment.typeCondition.name.value) : parentType;
          if (!condition || !isCompositeType(condition)) continue;
          if (selection.kind === Kind.FRAGMENT_SPREAD) {
            const key = `${selection.name.value}\n${condition.name}\n${isRoot}`;
            if (walked.has(key)) continue;
            walked.add(key);
          }
          visit(fragment.selectionSet, condition, isRoot);
          continue;
        }
        // Meta fields (__typename, introspection) have no resolver of the schema's, and no hint.
        if (selection.name.value.startsWith('__') || !('getFields' in parentType)) continue;
        const field = parentType.getFields()[selection.name.value];
        if (!field) continue;
        const target = getNamedType(field.type);
        const policy: CacheHint = {};
        let inheritMaxAge = false;
        if (isCompositeType(target)) {
          const typeHint = this.typeHint(target);
          replace(policy, typeHint);
          inheritMaxAge = !!typeHint.inheritMaxAge;
        }
        const fieldHint = this.fieldHint(field);
        if (fieldHint.inheritMaxAge && policy.maxAge === undefined) {
          inheritMaxAge = true;
          if (fieldHint.scope) replace(policy, { scope: fieldHint.scope });
        } else {
          replace(policy, fieldHint);
        }
        // @apollo/subgraph restricts `_entities` by the hint of each entity's type.
        if (isRoot && field.name === '_entities' && selection.selectionSet) {
          for (const entity of selection.selectionSet.selections) {
            const typeName = entity.kind === Kind.INLINE_FRAGMENT ? entity.typeCondition?.name.value : entity.kind === Kind.FRAGMENT_SPREAD ? fragments[entity.name.value]?.typeCondition.name.value : undefined;
            const type = typeName ? this.schema.getType(typeName) : undefined;
            if (type) restrict(policy, this.typeHint(type));
          }
        }
        if (policy.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRoot)) restrict(policy, { maxAge: 0 });
        restrict(overall, policy);
        if (selection.selectionSet && isCompositeType(target)) visit(selection.selectionSet, target, false);
      }
    };
    visit(operation.selectionSet, root, true);
    return overall;
  }

  private typeHint(type: GraphQLNamedType): Hint {
    let hint = this.typeHints.get(type);
    if (!hint) {
      hint = [type.astNode, ...(type.extensionASTNodes ?? [])].map((node) => hintOf(node?.directives)).find((found) => found !== undefined) ?? {};
      this.typeHints.set(type, hint);
    }
    return hint;
  }

  private fieldHint(field: GraphQLField<unknown, unknown>): Hint {
    let hint = this.fieldHints.get(field);
    if (!hint) {
      hint = hintOf(field.astNode?.directives) ?? {};
      this.fieldHints.set(field, hint);
    }
    return hint;
  }
}

/** A `@cacheControl` directive's hint, read as Apollo Server reads it. */
function hintOf(directives: readonly ConstDirectiveNode[] | undefined): Hint | undefined {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments!.find((a) => a.name.value === name)?.value;
  const scopeValue = argument('scope');
  const scopeName = scopeValue?.kind === Kind.ENUM ? scopeValue.value : undefined;
  const scope = scopeName === 'PUBLIC' || scopeName === 'PRIVATE' ? scopeName : undefined;
  const inherit = argument('inheritMaxAge');
  if (inherit?.kind === Kind.BOOLEAN && inherit.value) return { inheritMaxAge: true, scope };
  const maxAge = argument('maxAge');
  return { maxAge: maxAge?.kind === Kind.INT ? parseInt(maxAge.value, 10) : undefined, scope };
}

/** Apollo Server's CachePolicy.replace and .restrict, on plain hints. */
function replace(policy: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined) policy.scope = hint.scope;
}

function restrict(policy: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined && (policy.maxAge === undefined || hint.maxAge < policy.maxAge)) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined && policy.scope !== 'PRIVATE') policy.scope = hint.scope;
}

function parseCacheControl(header: string): CacheHint | 'no-store' | 'unparsable' {
  if (header === 'no-store') return 'no-store';
  const match = /^max-age=(\d+), (public|private)$/.exec(header);
  if (!match) return 'unparsable';
  return { maxAge: Number(match[1]), scope: match[2] === 'public' ? 'PUBLIC' : 'PRIVATE' };
}
