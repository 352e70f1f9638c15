import { getOperationAST, Kind, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { PerOperation } from './per-operation.js';

const perOperation = new PerOperation((document, operationName, schema: GraphQLSchema) => collectRootFields(schema, document, operationName));

/**
 * The root fields an operation selects, as schema coordinates (`Mutation.createApiKey`): its root
 * selections, those in inline fragments and fragment spreads on the root type included, each
 * once, in the order they first appear. Worked out once per parsed document, so every selected
 * field counts, whatever its `@skip` or `@include`. Empty when the document has no such operation.
 */
export function rootFields(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): readonly string[] {
  return perOperation.get(document, operationName, schema);
}

function collectRootFields(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): readonly string[] {
  const operation = getOperationAST(document, operationName);
  const rootType = operation && schema.getRootType(operation.operation);
  if (!operation || !rootType) return Object.freeze([]);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const found = new Set<string>();
  // A fragment is walked once, however often it is spread (and a cycle, in a document that did not validate, ends).
  const walked = new Set<string>();
  const walk = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) found.add(`${rootType.name}.${selection.name.value}`);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!walked.has(selection.name.value)) {
        walked.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(operation.selectionSet);
  return Object.freeze([...found]);
}
