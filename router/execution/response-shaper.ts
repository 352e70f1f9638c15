import {
  executeSync,
  GraphQLError,
  getNamedType,
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInt,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  Kind,
  OperationTypeNode,
  typeFromAST,
  valueFromAST,
  visit,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** A value a subgraph sent that its type does not allow: the error @apollo/federation-internals' ERRORS.INVALID_GRAPHQL makes, with the same code. */
function invalidGraphQL(message: string, options: { path: (string | number)[] }): GraphQLError {
  return new GraphQLError(message, { ...options, extensions: { code: 'INVALID_GRAPHQL' } });
}

/**
 * Shapes the data merged from a query plan's fetches into the client's answer, with the
 * semantics of @apollo/gateway's `computeResponse`: fields in the operation's order under their
 * response names, @skip/@include applied, fragments by the objects' `__typename`, nulls
 * propagated to the nearest nullable parent, and values a subgraph got wrong (a leaf of the wrong
 * kind, an unknown `__typename`, a null in a non-null position) turned into errors.
 *
 * The gateway walks its own operation model on every request; here the operation is compiled
 * once, against the API schema, into plain steps that the per-request walk only reads.
 */

const INVALID = 1;
const HAS_ERRORS = 2;

/** `true`, `false`, or the name of a Boolean variable. */
type Condition = boolean | string;

interface Conditions {
  skip?: Condition;
  include?: Condition;
}

type Shape =
  | { kind: 'nonNull'; of: Shape; type: GraphQLOutputType }
  | { kind: 'list'; of: Shape; type: GraphQLOutputType }
  | { kind: 'composite'; type: GraphQLCompositeType }
  | { kind: 'leaf'; type?: GraphQLOutputType; valid: (value: unknown) => boolean };

interface FieldStep {
  field: true;
  responseName: string;
  /** Whether an object inherits a property of that name (`constructor`): only an own one is read. */
  inherited: boolean;
  conditions?: Conditions;
  /** `__typename` under any response name. */
  typename: boolean;
  /** `__schema` or `__type`: answered from the API schema, fragments expanded. */
  introspection?: FieldNode;
  shape: Shape;
  /** The steps of the field's selection set, when it has one. */
  steps?: Step[];
}

interface FragmentStep {
  field: false;
  conditions?: Conditions;
  typeCondition?: GraphQLCompositeType;
  /** Whether an object matches the type condition: by its type name, or by the type the selection is on when it has none. */
  appliesTo: Map<string | GraphQLCompositeType, boolean>;
  /** The last of those looked up (objects in a list are mostly of one type). */
  lastKey?: string | GraphQLCompositeType;
  lastApplies?: boolean;
  steps: Step[];
}

type Step = FieldStep | FragmentStep;

export interface ShapedResponse {
  data: Record<string, unknown> | null;
  errors: GraphQLError[];
}

class ShapingRun {
  readonly errors: GraphQLError[] = [];
  flags = 0;
  private conditionValues?: Record<string, unknown>;

  constructor(
    private readonly defaultedVariables: Record<string, unknown>,
    readonly variables: Record<string, unknown> | undefined,
  ) {}

  skipped(conditions: Conditions): boolean {
    return (conditions.skip !== undefined && this.value(conditions.skip)) || (conditions.include !== undefined && !this.value(conditions.include));
  }

  private value(condition: Condition): boolean {
    if (typeof condition === 'boolean') return condition;
    this.conditionValues ??= { __proto__: null, ...this.defaultedVariables, ...this.variables };
    const value = this.conditionValues[condition];
    if (typeof value !== 'boolean') throw new Error(`Unexpected value ${String(value)} for variable $${condition} of @skip/@include`);
    return value;
  }
}

export class ResponseShaper {
  private readonly root: Step[];
  private readonly rootType: GraphQLCompositeType;
  private readonly fragments: Record<string, FragmentDefinitionNode>;
  /** Values of the variables that declare a default, for @skip/@include. */
  readonly defaultedVariables: Record<string, unknown>;
  /**
   * An output object is a plain object: V8 keeps objects without a prototype in dictionary mode,
   * slower to fill and to serialise. Only an operation that names a field `__proto__` (which
   * assigning would take for the prototype) gets objects without one; compile() finds out.
   */
  private nullPrototype = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly operation: OperationDefinitionNode,
    fragments: Record<string, FragmentDefinitionNode>,
  ) {
    this.fragments = fragments;
    const rootType = schema.getRootType(operation.operation);
    if (!rootType) throw new Error(`The schema has no ${operation.operation} type`);
    this.rootType = rootType;
    this.defaultedVariables = {};
    for (const definition of operation.variableDefinitions ?? []) {
      if (!definition.defaultValue) continue;
      this.defaultedVariables[definition.variable.name.value] = valueFromAST(definition.defaultValue, typeFromAST(schema, definition.type) as GraphQLInputType);
    }
    this.root = this.compile(operation.selectionSet, rootType);
  }

  /** The client's answer from the data the plan's fetches merged. */
  shape(input: Record<string, unknown>, variables: Record<string, unknown> | undefined): ShapedResponse {
    const run = new ShapingRun(this.defaultedVariables, variables);
    const data = this.newObject();
    const bubbled = this.apply(run, input, this.root, data, [], this.rootType);
    return { data: bubbled ? null : data, errors: run.errors };
  }

  private newObject(): Record<string, unknown> {
    return this.nullPrototype ? (Object.create(null) as Record<string, unknown>) : {};
  }

  // -------------------------------------------------------------------------------------------
  // Compiling

  private compile(selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): Step[] {
    return selectionSet.selections.map((selection) => this.compileSelection(selection, parentType));
  }

  private compileSelection(selection: SelectionNode, parentType: GraphQLCompositeType): Step {
    const conditions = conditionsOf(selection);
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const responseName = selection.alias?.value ?? name;
      if (responseName === '__proto__') this.nullPrototype = true;
      const inherited = responseName in Object.prototype;
      if (name === '__typename') return { field: true, responseName, inherited, conditions, typename: true, shape: { kind: 'leaf', valid: () => true } };
      if ((name === '__schema' || name === '__type') && parentType === this.rootType) {
        return { field: true, responseName, inherited, conditions, typename: false, introspection: this.expandFragments(selection), shape: { kind: 'leaf', valid: () => true } };
      }
      if (!('getFields' in parentType)) throw new Error(`Field ${name} selected on union ${parentType.name}`);
      const definition = parentType.getFields()[name];
      if (!definition) throw new Error(`Cannot query field "${name}" on type "${parentType.name}"`);
      const named = getNamedType(definition.type);
      return {
        field: true,
        responseName,
        inherited,
        conditions,
        typename: false,
        shape: this.shapeOf(definition.type),
        steps: selection.selectionSet && isCompositeType(named) ? this.compile(selection.selectionSet, named) : undefined,
      };
    }
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : this.fragments[selection.name.value];
    if (!fragment) throw new Error(`Unknown fragment "${(selection as { name: { value: string } }).name.value}"`);
    const typeCondition = fragment.typeCondition ? this.schema.getType(fragment.typeCondition.name.value) : undefined;
    if (fragment.typeCondition && !isCompositeType(typeCondition)) throw new Error(`Unknown type "${fragment.typeCondition.name.value}"`);
    const condition = typeCondition as GraphQLCompositeType | undefined;
    return { field: false, conditions, typeCondition: condition, appliesTo: new Map(), steps: this.compile(fragment.selectionSet, condition ?? parentType) };
  }

  private shapeOf(type: GraphQLOutputType): Shape {
    if (isNonNullType(type)) return { kind: 'nonNull', of: this.shapeOf(type.ofType), type };
    if (isListType(type)) return { kind: 'list', of: this.shapeOf(type.ofType), type };
    if (isCompositeType(type)) return { kind: 'composite', type };
    if (isEnumType(type)) return { kind: 'leaf', type, valid: (value) => typeof value === 'string' && type.getValue(value) !== undefined };
    if (!isSpecifiedScalarType(type)) return { kind: 'leaf', type, valid: () => true };
    // What @apollo/federation-internals' isValidLeafValue accepts for the built-in scalars.
    return {
      kind: 'leaf',
      type,
      valid: (value) => {
        if (typeof value === 'boolean') return type === GraphQLBoolean;
        if (typeof value === 'number' && Number.isFinite(value)) {
          // An integer written without an exponent, as its String() is below 1e21.
          if (type === GraphQLInt || type === GraphQLID) return Number.isInteger(value) && Math.abs(value) < 1e21;
          return type === GraphQLFloat;
        }
        if (typeof value === 'string') return type !== GraphQLBoolean && type !== GraphQLInt && type !== GraphQLFloat;
        return false;
      },
    };
  }

  /** A copy of an introspection field with every fragment spread replaced by its inline fragment. */
  private expandFragments(field: FieldNode): FieldNode {
    return visit(field, {
      FragmentSpread: (spread) => {
        const fragment = this.fragments[spread.name.value]!;
        return { kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: spread.directives, selectionSet: fragment.selectionSet };
      },
    });
  }

  /** Runs an introspection field against the API schema, as the gateway does. */
  private introspect(field: FieldNode, responseName: string, variables: Record<string, unknown> | undefined): unknown {
    const used = new Set<string>();
    visit(field, { Variable: (variable) => void used.add(variable.name.value) });
    const { data, errors } = executeSync({
      schema: this.schema,
      document: {
        kind: Kind.DOCUMENT,
        definitions: [
          {
            kind: Kind.OPERATION_DEFINITION,
            operation: OperationTypeNode.QUERY,
            variableDefinitions: this.operation.variableDefinitions?.filter((definition) => used.has(definition.variable.name.value)),
            selectionSet: { kind: Kind.SELECTION_SET, selections: [field] },
          },
        ],
      },
      rootValue: {},
      variableValues: variables,
    });
    if (errors?.length || !data) throw new Error(`Introspection of ${responseName} failed: ${JSON.stringify(errors)}`);
    return data[responseName];
  }

  // -------------------------------------------------------------------------------------------
  // Shaping

  /** Fills `output` from `input` by `steps`; true when a null must replace the whole object. */
  private apply(run: ShapingRun, input: Record<string, unknown>, steps: Step[], output: Record<string, unknown>, path: (string | number)[], parentType: GraphQLCompositeType): boolean {
    for (const step of steps) {
      if (step.conditions && run.skipped(step.conditions)) continue;
      if (!step.field) {
        const typename = input.__typename;
        if (typename !== undefined && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
        if (this.fragmentApplies(step, typename, parentType)) {
          if (this.apply(run, input, step.steps, output, path, step.typeCondition ?? parentType)) return true;
        }
        continue;
      }
      const { responseName } = step;
      const outputValue = output[responseName];
      if (step.introspection) {
        if (outputValue === undefined) output[responseName] = this.introspect(step.introspection, responseName, run.variables);
        continue;
      }
      let inputValue = !step.inherited || Object.prototype.hasOwnProperty.call(input, responseName) ? input[responseName] : undefined;
      inputValue ??= null;
      if (step.typename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== '__typename') inputValue = input.__typename ?? null;
          const type = typeof inputValue === 'string' ? (this.schema.getType(inputValue) ?? parentType) : parentType;
          if (!isObjectType(type)) return true;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      output[responseName] = this.update(run, outputValue, step.shape, inputValue, step.steps, path, parentType);
      path.pop();
      if (run.flags & INVALID) return true;
    }
    return false;
  }

  private fragmentApplies(step: FragmentStep, typename: string | undefined, parentType: GraphQLCompositeType): boolean {
    const condition = step.typeCondition;
    if (!condition) return true;
    // By the object's __typename when it has one, else by the type the selection is on.
    const key = typename ? typename : parentType;
    if (key === step.lastKey) return step.lastApplies!;
    let applies = step.appliesTo.get(key);
    if (applies === undefined) {
      const type = typename ? this.schema.getType(typename) : parentType;
      applies = !!type && (type === condition || (isAbstractType(condition) && (isObjectType(type) || isInterfaceType(type)) && this.schema.isSubType(condition, type)));
      step.appliesTo.set(key, applies);
    }
    step.lastKey = key;
    step.lastApplies = applies;
    return applies;
  }

  /**
   * The output value for one position; leaves INVALID (the null must go up) and HAS_ERRORS
   * (an error was recorded below) in `run.flags`, as the gateway's `updateOutputValue` returns them.
   */
  private update(run: ShapingRun, outputValue: unknown, shape: Shape, inputValue: unknown, steps: Step[] | undefined, path: (string | number)[], parentType: GraphQLCompositeType): unknown {
    if (outputValue === null || (outputValue !== undefined && !steps)) {
      run.flags = 0;
      return outputValue;
    }
    switch (shape.kind) {
      case 'nonNull': {
        const updated = this.update(run, outputValue, shape.of, inputValue, steps, path, parentType);
        if (updated !== null) {
          run.flags = 0;
          return updated;
        }
        if (!(run.flags & HAS_ERRORS)) {
          run.errors.push(invalidGraphQL(`Cannot return null for non-nullable ${describe(path, (shape.type as { ofType: GraphQLOutputType }).ofType, parentType)}.`, { path: [...path] }));
        }
        run.flags = INVALID | HAS_ERRORS;
        return null;
      }
      case 'list': {
        if (inputValue === null) return nullValue(run);
        if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(shape.type)}`);
        if (outputValue !== undefined && (!Array.isArray(outputValue) || outputValue.length !== inputValue.length)) {
          throw new Error(`Invalid list value returned by subgraph for list type ${String(shape.type)}`);
        }
        const existing = outputValue as unknown[] | undefined;
        const updated = new Array<unknown>(inputValue.length);
        let nullify = false;
        let hasErrors = false;
        for (let i = 0; i < inputValue.length; i++) {
          path.push(i);
          updated[i] = this.update(run, existing?.[i], shape.of, inputValue[i], steps, path, parentType);
          path.pop();
          if (run.flags & INVALID) nullify = true;
          if (run.flags & HAS_ERRORS) hasErrors = true;
        }
        run.flags = hasErrors ? HAS_ERRORS : 0;
        return nullify ? null : updated;
      }
      case 'composite': {
        if (inputValue === null) return nullValue(run);
        if (typeof inputValue !== 'object' || (outputValue !== undefined && typeof outputValue !== 'object')) {
          throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${shape.type.name}`);
        }
        const object = inputValue as Record<string, unknown>;
        const typename = object.__typename;
        if (typename !== undefined && typeof typename !== 'string') throw new Error(`Invalid non-string value ${String(typename)} for __typename at ${path.join(',')}`);
        let objectType: GraphQLCompositeType = shape.type;
        if (typename) {
          const named = this.schema.getType(typename);
          if (!named || !isCompositeType(named)) {
            run.errors.push(invalidGraphQL(`Invalid __typename found for object at ${describe(path, shape.type, parentType)}.`, { path: [...path] }));
            run.flags = HAS_ERRORS;
            return null;
          }
          objectType = named;
        }
        const output = (outputValue as Record<string, unknown> | undefined) ?? this.newObject();
        const bubbled = this.apply(run, object, steps!, output, path, objectType);
        run.flags = bubbled ? HAS_ERRORS : 0;
        return bubbled ? null : output;
      }
      case 'leaf': {
        if (inputValue === null) return nullValue(run);
        if (shape.valid(inputValue)) {
          run.flags = 0;
          return inputValue;
        }
        run.errors.push(invalidGraphQL(`Invalid value found for ${describe(path, shape.type!, parentType)}.`, { path: [...path] }));
        run.flags = HAS_ERRORS;
        return null;
      }
    }
  }
}

function nullValue(run: ShapingRun): null {
  run.flags = 0;
  return null;
}

function describe(path: (string | number)[], type: GraphQLOutputType, parentType: GraphQLCompositeType): string {
  const element = path[path.length - 1];
  return typeof element === 'string' ? `field ${parentType.name}.${element}` : `array element of type ${String(type)} at index ${element}`;
}

function conditionsOf(selection: SelectionNode): Conditions | undefined {
  let conditions: Conditions | undefined;
  for (const directive of selection.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const argument = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (!argument) continue;
    (conditions ??= {})[name] = conditionOf(argument);
  }
  return conditions;
}

function conditionOf(value: ValueNode): Condition {
  if (value.kind === Kind.VARIABLE) return value.name.value;
  if (value.kind === Kind.BOOLEAN) return value.value;
  throw new Error('@skip/@include need a Boolean');
}
