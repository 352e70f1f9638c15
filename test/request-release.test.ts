import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { requestPlugin, type RequestContext } from '../infra/graphql/request-plugin.js';
import { graphqlHandler } from '../infra/http/graphql-handler.js';
import { startHttpServer, type RunningHttpServer } from '../infra/http/http-server.js';
import { createLogger } from '../infra/logger.js';

/**
 * graphqlHandler lets go of each operation's result and (where asked) its context once the
 * response is written (infra/graphql/request-release.ts), after the client has its answer.
 */

interface GreetingContext extends RequestContext {
  greeting: { text: string };
}

async function serve(releaseContext: boolean) {
  const seen: GraphQLRequestContext<GreetingContext>[] = [];
  const capture: ApolloServerPlugin<GreetingContext> = {
    async requestDidStart(requestContext) {
      seen.push(requestContext);
    },
  };
  const logger = createLogger('test', 'silent');
  const apollo = new ApolloServer<GreetingContext>({
    typeDefs: 'type Query { greeting(name: String!): String! }',
    resolvers: { Query: { greeting: (_source: unknown, { name }: { name: string }, context: GreetingContext) => `${context.greeting.text}, ${name}` } },
    // As in the subgraphs: Apollo Server's cache-control plugin would fix a property on the context.
    plugins: [requestPlugin<GreetingContext>(), capture, ApolloServerPluginCacheControlDisabled()],
    allowBatchedHttpRequests: true,
  });
  await apollo.start();
  const http = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    logger,
    routes: {
      '/graphql': graphqlHandler(apollo, {
        context: (_req, requestId) => ({ requestId, logger, greeting: { text: 'Hello' } }),
        releaseContext,
      }),
    },
  });
  const post = async (body: unknown) => {
    const response = await fetch(`${http.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };
  return { seen, post, http, apollo };
}

describe('releasing a request after its response', () => {
  let emptying: Awaited<ReturnType<typeof serve>>;
  let keeping: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    emptying = await serve(true);
    keeping = await serve(false);
  });
  after(async () => {
    for (const server of [emptying, keeping]) {
      await server.http.close(1_000);
      await server.apollo.stop();
    }
  });

  it('answers first, then drops the result and empties Apollo Server’s copy of the context', async () => {
    const { status, body } = await emptying.post({ query: 'query ($name: String!) { greeting(name: $name) }', variables: { name: 'Ada' } });
    assert.equal(status, 200);
    assert.deepEqual(body, { data: { greeting: 'Hello, Ada' } });
    assert.equal(emptying.seen.length, 1);
    const [request] = emptying.seen;
    assert.equal(request!.response.body, undefined);
    assert.deepEqual(Reflect.ownKeys(request!.contextValue), []);
  });

  it('releases every operation of a batch', async () => {
    emptying.seen.length = 0;
    const { status, body } = await emptying.post([{ query: '{ greeting(name: "Ada") }' }, { query: '{ greeting(name: "Grace") }' }]);
    assert.equal(status, 200);
    assert.deepEqual(body, [{ data: { greeting: 'Hello, Ada' } }, { data: { greeting: 'Hello, Grace' } }]);
    assert.equal(emptying.seen.length, 2);
    for (const request of emptying.seen) {
      assert.equal(request.response.body, undefined);
      assert.deepEqual(Reflect.ownKeys(request.contextValue), []);
    }
  });

  it('keeps the context where the server does not ask for it to be emptied, and still drops the result', async () => {
    const { body } = await keeping.post({ query: '{ greeting(name: "Ada") }' });
    assert.deepEqual(body, { data: { greeting: 'Hello, Ada' } });
    const [request] = keeping.seen;
    assert.equal(request!.response.body, undefined);
    assert.deepEqual(request!.contextValue.greeting, { text: 'Hello' });
  });

  it('releases a request that ends in an error', async () => {
    emptying.seen.length = 0;
    const { status, body } = await emptying.post({ query: '{ greeting }' });
    assert.equal(status, 200);
    assert.equal(body.errors[0].extensions.code, 'GRAPHQL_VALIDATION_FAILED');
    assert.equal(emptying.seen[0]!.response.body, undefined);
    assert.deepEqual(Reflect.ownKeys(emptying.seen[0]!.contextValue), []);
  });
});
