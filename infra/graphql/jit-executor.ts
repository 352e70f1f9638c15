import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { GraphQLError, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { PerOperation } from './per-operation.js';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/**
 * Runs a subgraph's operations with graphql-jit instead of graphql-js's `execute`: each
 * operation of each document Apollo Server keeps is compiled once into a function that resolves
 * and completes its fields without graphql-js's per-field interpretation (argument values worked
 * out, a promise per object, the selection collected again for every object of a list).
 *
 * Apollo Server takes a custom executor only from a "gateway", so this is one that serves a
 * fixed schema. Parsing, validation, plugins, error formatting and the HTTP answer stay Apollo
 * Server's; only execution changes.
 */
export function jitExecutor(schema: GraphQLSchema): GatewayInterface {
  // graphql-jit's own JSON serialiser is off: Apollo Server writes the answer.
  const compiled = new PerOperation<CompiledQuery | ExecutionResult>((document, operationName) => compileQuery(schema, document, operationName, { customJSONSerializer: false }));
  return {
    async load() {
      return {
        schema,
        executor: async ({ document, request, context }) => {
          const entry = compiled.get(document, request.operationName);
          if (!isCompiledQuery(entry)) return entry;
          const result = (await entry.query(undefined, context, request.variables ?? {})) as ExecutionResult;
          return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors pass `instanceof GraphQLError` but have no `extensions` unless the
 * resolver's error had some; Apollo Server and our error handling expect graphql-js's shape.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  if (error.extensions) return error;
  const converted = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined });
  (converted as { locations: GraphQLError['locations'] }).locations = error.locations;
  return converted;
}
