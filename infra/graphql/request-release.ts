import type { BaseContext, GraphQLRequestContext } from '@apollo/server';

/**
 * Letting go of a request's objects once its HTTP response is written.
 *
 * Apollo Server runs a gateway's executor (the router's query plans, and graphql-jit in the
 * subgraphs, both use that interface) with a request context built by its
 * makeGatewayGraphQLRequestContext, whose `response.http.status` is a getter and setter closing
 * over Apollo Server's own request context. V8 allocates accessor pairs in the old generation,
 * so from there every request's whole object graph (its result, and its context with the
 * DataLoader caches and the rows in them) stays reachable until the next full collection: each
 * young collection copies it and then promotes it, and old space fills with dead requests.
 * Dropping Apollo Server's references to the result and to the context (its shallow copy of
 * ours) once both are done with leaves a few small objects per request to promote.
 *
 * graphqlHandler puts a handle on each context it makes; requestPlugin records Apollo Server's
 * request context on it (one per operation of a batch); graphqlHandler releases it after the
 * response.
 */
export interface ReleaseHandle {
  requests: GraphQLRequestContext<BaseContext>[];
}

const HANDLE = Symbol('interchange.release');

/** Puts a new handle on `context` (enumerable, so that Apollo Server's copy of the context carries it). */
export function attachReleaseHandle(context: object): ReleaseHandle {
  const handle: ReleaseHandle = { requests: [] };
  Object.defineProperty(context, HANDLE, { value: handle, enumerable: true, configurable: true });
  return handle;
}

/** Called by requestPlugin when an operation starts. */
export function recordForRelease(request: GraphQLRequestContext<BaseContext>): void {
  (request.contextValue as { [HANDLE]?: ReleaseHandle })[HANDLE]?.requests.push(request);
}

/**
 * Drops each recorded operation's result and, with `context`, every field of its context. Only
 * after the response is written: Apollo Server and every plugin are done with both by then.
 * A resolver still running afterwards (one abandoned when an error made its parent null) finds
 * an empty context and fails, and its error is discarded with the rest of its work.
 */
export function release(handle: ReleaseHandle, options: { context: boolean }): void {
  for (const request of handle.requests) {
    request.response.body = undefined;
    if (options.context) {
      // What cannot be deleted stays: Apollo Server fixes a property on the context when a plugin has willResolveField.
      const context = request.contextValue;
      for (const key of Reflect.ownKeys(context)) Reflect.deleteProperty(context, key);
    }
  }
  handle.requests.length = 0;
}
