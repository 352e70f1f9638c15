/**
 * One benchmark target as a process of its own, started pinned to the target core by
 * bench/router.ts: `target.ts limit|baseline|router`. It reports `{ url }` over IPC once it
 * listens and stops when the bench disconnects.
 *
 * - limit: a bare node:http server answering every POST with BENCH_BODY_FILE's bytes.
 * - baseline: plain @apollo/gateway on @apollo/server 5 (startStandaloneServer, default options,
 *   the gateway's default fetcher) on SUPERGRAPH_PATH. Its only additions are what every
 *   deployment of it over these subgraphs needs: the client's Authorization passed on, with
 *   INTERNAL_TOKEN_SECRET the hub subgraphs' signed identity header (for the bench's caller),
 *   and the supergraph's security links loaded without their `for: SECURITY`.
 * - router: ours, router/server.ts start() with the environment it is given.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { INTERNAL_TOKEN_HEADER, InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { HUB_SUBGRAPHS } from '../../infra/hub-subgraphs.js';
import { scopesOf, type Principal } from '../../infra/auth/principal.js';
import { loadConfig } from '../../infra/config.js';
import { routerEnv } from '../../router/config.js';
import { createLogger } from '../../infra/logger.js';
import { readAccessRequirements } from '../../router/auth/access-requirements.js';
import { start } from '../../router/server.js';
import { BENCH_SUBJECT } from './bench-tokens.js';

/** Who the bench's tokens make the caller: what the router derives from them, for the baseline to send alike. */
const BENCH_PRINCIPAL: Principal = { kind: 'user', id: BENCH_SUBJECT, roles: ['admin'], scopes: scopesOf(['admin']) };

async function limit(): Promise<string> {
  const body = readFileSync(process.env.BENCH_BODY_FILE!);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, headers).end(body));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

interface BaselineContext {
  authorization?: string;
}

async function baseline(): Promise<string> {
  const secret = process.env.INTERNAL_TOKEN_SECRET;
  const signer = secret ? new InternalTokenSigner(secret) : undefined;
  class BenchDataSource extends RemoteGraphQLDataSource<BaselineContext> {
    override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<BaselineContext>): Promise<void> {
      if (context.authorization) request.http?.headers.set('authorization', context.authorization);
      if (signer) request.http?.headers.set(INTERNAL_TOKEN_HEADER, await signer.token(BENCH_PRINCIPAL, HUB_SUBGRAPHS));
    }
  }
  const gateway = new ApolloGateway({
    // Plain @apollo/gateway refuses a supergraph whose @authenticated / @requiresScopes links are
    // `for: SECURITY`; it loads it with that purpose dropped (and enforces neither).
    supergraphSdl: readAccessRequirements(readFileSync(process.env.SUPERGRAPH_PATH!, 'utf8')).gatewaySdl,
    buildService: ({ url }) => new BenchDataSource({ url }),
  });
  const server = new ApolloServer<BaselineContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return url.replace('localhost', '127.0.0.1');
}

async function router(): Promise<string> {
  const config = loadConfig(routerEnv);
  const running = await start(config, { logger: createLogger('router', config.LOG_LEVEL) });
  return running.url;
}

const kind = process.argv[2];
const targets: Record<string, () => Promise<string>> = { limit, baseline, router };
const run = targets[kind ?? ''];
if (!run) throw new Error(`usage: target.ts ${Object.keys(targets).join('|')}`);
const url = await run();
process.send?.({ url });
process.on('disconnect', () => process.exit(0));
