import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { fromRoot } from '../../infra/paths.js';
import { inStock, products, reviews, users, type Product, type Review } from './data.js';

export const SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const sdl = (name: SubgraphName) => readFileSync(fromRoot('bench/federation', `${name}.graphql`), 'utf8');

/** The public benchmark's TestQuery: users and top products, their reviews, four levels deep. */
export const TEST_QUERY = readFileSync(fromRoot('bench/federation/test-query.graphql'), 'utf8');

const byUpc = (upc: string) => products.find((product) => product.upc === upc);

const resolvers: Record<SubgraphName, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => users[0],
      user: (_: unknown, { id }: { id: string }) => users.find((user) => user.id === id),
      users: () => users,
    },
    User: {
      __resolveReference: ({ id }: { id: string }) => users.find((user) => user.id === id),
    },
  },
  products: {
    Query: {
      topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first),
    },
    Product: {
      __resolveReference: ({ upc }: { upc: string }) => byUpc(upc),
    },
  },
  inventory: {
    Product: {
      // `price` and `weight` come in the representation (@requires).
      __resolveReference: (reference: Pick<Product, 'upc' | 'price' | 'weight'>) => ({ ...reference, inStock: inStock[reference.upc] ?? false }),
      shippingEstimate: ({ price, weight }: Pick<Product, 'price' | 'weight'>) => (price > 1000 ? 0 : Math.round(weight / 2)),
    },
  },
  reviews: {
    Review: {
      __resolveReference: ({ id }: { id: string }) => reviews.find((review) => review.id === id),
      product: (review: Review) => ({ upc: review.productUpc }),
      author: (review: Review) => ({ id: review.authorId }),
    },
    User: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      // Served only where @provides allows it (Review.author).
      username: ({ id }: { id: string }) => users.find((user) => user.id === id)?.username,
      reviews: ({ id }: { id: string }) => reviews.filter((review) => review.authorId === id),
    },
    Product: {
      __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
      reviews: ({ upc }: { upc: string }) => reviews.filter((review) => review.productUpc === upc),
    },
  },
};

/** The supergraph of the four subgraphs at `urls`, composed with @apollo/composition. */
export function composeFederationSupergraph(urls: Record<SubgraphName, string>): string {
  const result = composeServices(SUBGRAPH_NAMES.map((name) => ({ name, url: urls[name], typeDefs: parse(sdl(name)) })));
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`);
  return result.supergraphSdl;
}

interface Answer {
  status: number;
  headers: [string, string][];
  body: string;
}

export interface RunningFederationSubgraphs {
  urls: Record<SubgraphName, string>;
  /** Requests answered by each subgraph, memoised ones included. */
  requests: Record<SubgraphName, number>;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * All four subgraphs in one process and on one port, each at its own path (/accounts, ...),
 * as the public benchmark serves them. Each is Apollo Server over @apollo/subgraph, so its
 * Cache-Control header comes from the @cacheControl hints in its SDL.
 *
 * With `memoise` (the default) a subgraph answers a request body it has answered before from
 * memory, headers included: the data never changes, and this keeps the subgraphs' cost (on the
 * load generator's core) small beside the gateway's, as the original's Rust subgraphs do.
 */
export async function startFederationSubgraphs(options: { host?: string; port?: number; memoise?: boolean } = {}): Promise<RunningFederationSubgraphs> {
  const servers = {} as Record<SubgraphName, ApolloServer>;
  for (const name of SUBGRAPH_NAMES) {
    servers[name] = new ApolloServer({
      schema: buildSubgraphSchema({ typeDefs: parse(sdl(name)), resolvers: resolvers[name] }),
      plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
      stopOnTerminationSignals: false,
    });
    await servers[name].start();
  }
  const memo = new Map<string, Answer>();
  const requests = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, 0])) as Record<SubgraphName, number>;

  const answer = async (name: SubgraphName, req: IncomingMessage, raw: string): Promise<Answer> => {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
    const response = await servers[name].executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body: raw ? JSON.parse(raw) : undefined },
      context: async () => ({}),
    });
    if (response.body.kind !== 'complete') throw new Error('incremental delivery is not used here');
    return { status: response.status ?? 200, headers: [...response.headers], body: response.body.string };
  };

  const server = createServer((req, res) => {
    const name = (req.url ?? '').slice(1).split('?')[0] as SubgraphName;
    if (!SUBGRAPH_NAMES.includes(name)) {
      res.writeHead(404).end();
      return;
    }
    requests[name] += 1;
    readBody(req)
      .then(async (raw) => {
        const key = `${name}\n${raw}`;
        let found = options.memoise === false ? undefined : memo.get(key);
        if (!found) {
          found = await answer(name, req, raw);
          if (found.status === 200 && options.memoise !== false) {
            if (memo.size >= 10_000) memo.clear();
            memo.set(key, found);
          }
        }
        res.writeHead(found.status, [...found.headers.flat(), 'content-length', String(Buffer.byteLength(found.body))]);
        res.end(found.body);
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] }));
      });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${port}/${name}`])) as Record<SubgraphName, string>;
  return {
    urls,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(SUBGRAPH_NAMES.map((name) => servers[name].stop()));
    },
  };
}
