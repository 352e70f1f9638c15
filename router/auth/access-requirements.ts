import {
  Kind,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type FieldDefinitionNode,
} from 'graphql';

/**
 * What the supergraph's Federation 2.5 `@authenticated` and `@requiresScopes` ask of one type or
 * field. Composition keeps both directives in the supergraph, on the types and fields they were
 * written on, with a `@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)`.
 * A rule always needs credentials (`@requiresScopes` implies `@authenticated`).
 */
export interface AccessRule {
  /** `@requiresScopes`: the caller needs every scope of at least one of these sets; empty: credentials suffice. */
  readonly scopes: readonly (readonly string[])[];
}

/** The access rules of a supergraph by type name, and by type and field name. */
export interface AccessRequirements {
  readonly types: ReadonlyMap<string, AccessRule>;
  readonly fields: ReadonlyMap<string, ReadonlyMap<string, AccessRule>>;
  /** True when the supergraph declares no rule: nothing is protected and no operation needs a walk. */
  readonly empty: boolean;
}

const AUTHENTICATED_SPEC = /^https:\/\/specs\.apollo\.dev\/authenticated\/v0\.\d+$/;
const REQUIRES_SCOPES_SPEC = /^https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.\d+$/;

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name)?.value;
}

function stringOf(value: ConstValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING || value?.kind === Kind.ENUM ? value.value : undefined;
}

/** `[["a", "b"], ["c"]]` as nested arrays of strings; a lone string is a list of one (input coercion). */
function scopeSets(value: ConstValueNode | undefined): string[][] {
  if (!value) return [];
  const list = (node: ConstValueNode): ConstValueNode[] => (node.kind === Kind.LIST ? [...node.values] : [node]);
  return list(value).map((set) => list(set).map((scope) => stringOf(scope) ?? '').filter(Boolean));
}

/**
 * Reads the access rules from a supergraph, and gives back the SDL for @apollo/gateway:
 * the gateway refuses a supergraph with a `for: SECURITY` feature it does not enforce itself,
 * so the purpose is dropped from those two links (the directives stay). The router enforces
 * them instead, before any subgraph is called. A supergraph without them is returned as it is.
 */
export function readAccessRequirements(supergraphSdl: string): { requirements: AccessRequirements; gatewaySdl: string } {
  const document = parse(supergraphSdl, { noLocation: true });
  // The names the directives go by in this supergraph: the spec's name, or the link's `as`.
  let authenticatedName: string | undefined;
  let requiresScopesName: string | undefined;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = stringOf(argument(directive, 'url')) ?? '';
      const as = stringOf(argument(directive, 'as'));
      if (AUTHENTICATED_SPEC.test(url)) authenticatedName = as ?? 'authenticated';
      if (REQUIRES_SCOPES_SPEC.test(url)) requiresScopesName = as ?? 'requiresScopes';
    }
  }
  const types = new Map<string, AccessRule>();
  const fields = new Map<string, Map<string, AccessRule>>();
  if (!authenticatedName && !requiresScopesName) return { requirements: { types, fields, empty: true }, gatewaySdl: supergraphSdl };

  const ruleOf = (directives: readonly ConstDirectiveNode[] | undefined): AccessRule | undefined => {
    let authenticated = false;
    const scopes: string[][] = [];
    for (const directive of directives ?? []) {
      if (directive.name.value === authenticatedName) authenticated = true;
      if (directive.name.value === requiresScopesName) scopes.push(...scopeSets(argument(directive, 'scopes')));
    }
    if (!authenticated && scopes.length === 0) return undefined;
    return Object.freeze({ scopes: Object.freeze(scopes.map((set) => Object.freeze(set))) });
  };
  const addFields = (typeName: string, definitions: readonly FieldDefinitionNode[] | undefined) => {
    for (const field of definitions ?? []) {
      const rule = ruleOf(field.directives);
      if (!rule) continue;
      if (!fields.has(typeName)) fields.set(typeName, new Map());
      fields.get(typeName)!.set(field.name.value, rule);
    }
  };
  const addType = (typeName: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    const rule = ruleOf(directives);
    if (rule) types.set(typeName, rule);
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        addFields(definition.name.value, definition.fields);
        addType(definition.name.value, definition.directives);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_EXTENSION:
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        addType(definition.name.value, definition.directives);
        break;
      default:
        break;
    }
  }

  const gatewayDocument: DocumentNode = visit(document, {
    Directive(node) {
      if (node.name.value !== 'link') return undefined;
      const url = stringOf(argument(node as ConstDirectiveNode, 'url')) ?? '';
      if (!AUTHENTICATED_SPEC.test(url) && !REQUIRES_SCOPES_SPEC.test(url)) return undefined;
      return { ...node, arguments: node.arguments?.filter((arg) => arg.name.value !== 'for') };
    },
  });
  return { requirements: { types, fields, empty: types.size === 0 && fields.size === 0 }, gatewaySdl: print(gatewayDocument) };
}
