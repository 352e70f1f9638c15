import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { Gauge } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import { requestIdFrom } from '../http/request-id.js';
import type { Logger } from '../logger.js';
import type { Registry } from '../metrics/metrics-registry.js';

/** The close code that tells graphql-ws clients to reconnect (to another replica). */
export const GOING_AWAY = 1001;

export interface SubscriptionConnection {
  /** The x-request-id sent at the WebSocket upgrade, or a new one for each operation. */
  requestId: string;
  /** Headers of the WebSocket upgrade request. */
  headers: IncomingHttpHeaders;
  /** The payload of graphql-ws `connection_init`. */
  connectionParams: Record<string, unknown>;
  /** Who the connection authenticated as in `connection_init` (see `authenticate`); absent when anonymous. */
  principal?: Principal;
  /** The client's address (the TCP peer of the WebSocket). */
  clientIp: string;
  /** The client's socket, for the subscription this context is for. */
  socket: {
    subscriptionId: string;
    /** Sends a ready graphql-ws message, for servers that serialise an event once for many sockets. */
    send(message: string): void;
    bufferedBytes(): number;
    /** Closes the socket, e.g. with SLOW_CONSUMER_CLOSE for a client that does not keep up. */
    disconnect(code: number, reason: string): void;
  };
}

/** The close code for a subscriber that fell too far behind (its backlog hit the limit). */
export const SLOW_CONSUMER_CLOSE = 4008;

/**
 * graphql-ws closes a connection whose `connection_init` was refused with this code (Forbidden);
 * the server closes with it too when the connection's token expires or its API key is revoked.
 */
export const FORBIDDEN_CLOSE = 4403;

/** Close codes for a connection over one of the server's caps (ConnectionLimits). */
export const TOO_MANY_CONNECTIONS_FROM_ADDRESS_CLOSE = 4290;
export const TOO_MANY_CONNECTIONS_FOR_PRINCIPAL_CLOSE = 4291;
export const TOO_MANY_SUBSCRIPTIONS_CLOSE = 4292;

/** Caps on what one client may hold open; 0 is no cap. */
export interface ConnectionLimits {
  /** The largest message accepted; ws closes a socket that sends more with 1009. */
  maxPayloadBytes: number;
  /** How long a socket may wait before `connection_init`; then graphql-ws closes it with 4408. */
  connectionInitTimeoutMs: number;
  /** Open sockets from one client address; the next is closed with 4290. */
  perAddress: number;
  /** Open sockets authenticated as one principal; the next is closed with 4291. */
  perPrincipal: number;
  /** Operations running at once on one socket; one more closes it with 4292. */
  subscriptionsPerConnection: number;
}

/** What `connection_init` carries, for `authenticate`. */
export interface ConnectionInit {
  headers: IncomingHttpHeaders;
  connectionParams: Record<string, unknown>;
  /** The client's address, as `clientAddress` tells it. */
  clientAddress: string;
}

export interface SubscriptionServerOptions<TContext> {
  schema: GraphQLSchema;
  /** Per operation (subscribe message) context. */
  context: (connection: SubscriptionConnection) => TContext;
  /**
   * Runs once per connection, on `connection_init`. Resolves with the connection's principal
   * (undefined: anonymous), or with `false` to refuse it: graphql-ws then closes the socket with
   * 4403 Forbidden. Throwing also closes with 4403, and the error is logged at debug level.
   * Default: every connection is accepted, anonymous.
   */
  authenticate?: (init: ConnectionInit) => Promise<Principal | undefined | false>;
  logger: Logger;
  /** Replaces graphql-js `execute` for queries and mutations sent over the socket. */
  execute?: (args: ExecutionArgs) => unknown;
  /** Replaces graphql-js `subscribe`. */
  subscribe?: (args: ExecutionArgs) => unknown;
  /**
   * Runs for each operation once it is parsed and validated, before it executes; resolving with
   * an error refuses it with an `error` message (the socket stays open). Default: all run.
   */
  admit?: (args: ExecutionArgs) => Promise<GraphQLError | undefined>;
  /**
   * Parses a `subscribe` message's query. Throwing a GraphQLError answers that operation with it
   * (an `error` message; the socket stays open). Default: graphql-js `parse`.
   */
  parse?: (source: string) => DocumentNode;
  /** Default: no caps but graphql-ws's 3 s `connection_init` timeout and ws's 100 MiB messages. */
  limits?: ConnectionLimits;
  /** The address a connection's caps count it under; default its TCP peer. */
  clientAddress?: (request: IncomingMessage) => string;
  /** What a client sees of each error sent over the socket (as Apollo Server's `formatError`); default as graphql-js serialises it. */
  formatError?: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /**
   * Where to report `interchange_subscription_connections` (graphql-ws sockets open now) and
   * `interchange_subscriptions_active` (operations running on them), read when /metrics is read.
   */
  metrics?: Registry;
}

/** What the server knows of an open socket. */
interface OpenConnection {
  address: string;
  principal?: Principal;
  expiry?: NodeJS.Timeout;
  /** graphql-ws's operations of the socket, by id (its context's own record), once one was sent. */
  operations?: Readonly<Record<string, unknown>>;
}

const principalKey = (principal: Principal) => `${principal.kind}:${principal.id}`;

/** Validation errors carry the code Apollo Server gives them over HTTP. */
function validationFailed(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }));
}

/** Closes `socket` with 4403 when `principal`'s token expires (checked again when a long timer fires early). */
function closeAtExpiry(socket: WebSocket, expiresAt: number): NodeJS.Timeout {
  return setTimeout(
    () => {
      if (Date.now() < expiresAt) return void closeAtExpiry(socket, expiresAt);
      socket.close(FORBIDDEN_CLOSE, 'Token expired: reconnect with a new token');
    },
    Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1),
  ).unref();
}

/**
 * graphql-ws (graphql-transport-ws protocol) on the server's /graphql path, beside HTTP.
 * Operations are validated against `schema` before they execute.
 */
export function serveSubscriptions<TContext>(
  server: Server,
  options: SubscriptionServerOptions<TContext>,
): { close(): Promise<void>; closeConnections(which: (principal: Principal) => boolean, code: number, reason: string): number } {
  const limits = options.limits;
  const wss = new WebSocketServer({ server, path: '/graphql', ...(limits && { maxPayload: limits.maxPayloadBytes }) });
  const connections = new Map<WebSocket, OpenConnection>();
  const byAddress = new Map<string, number>();
  const byPrincipal = new Map<string, number>();
  const count = (counts: Map<string, number>, key: string, change: 1 | -1) => {
    const next = (counts.get(key) ?? 0) + change;
    if (next > 0) counts.set(key, next);
    else counts.delete(key);
    return next;
  };

  if (options.metrics) {
    new Gauge({
      name: 'interchange_subscription_connections',
      help: 'graphql-ws connections open now',
      registers: [options.metrics],
      collect() {
        this.set(connections.size);
      },
    });
    new Gauge({
      name: 'interchange_subscriptions_active',
      help: 'Operations (subscriptions, mostly) running on the open graphql-ws connections now',
      registers: [options.metrics],
      collect() {
        let active = 0;
        for (const connection of connections.values()) active += connection.operations ? Object.keys(connection.operations).length : 0;
        this.set(active);
      },
    });
  }

  // Registered before graphql-ws's own listener, so a socket over a cap is closed before it is served.
  wss.on('connection', (socket, request) => {
    const address = options.clientAddress?.(request) ?? request.socket.remoteAddress ?? 'unknown';
    const connection: OpenConnection = { address };
    connections.set(socket, connection);
    const fromAddress = count(byAddress, address, 1);
    socket.once('close', () => {
      connections.delete(socket);
      count(byAddress, address, -1);
      if (connection.principal) count(byPrincipal, principalKey(connection.principal), -1);
      clearTimeout(connection.expiry);
    });
    if (limits?.perAddress && fromAddress > limits.perAddress) {
      socket.close(TOO_MANY_CONNECTIONS_FROM_ADDRESS_CLOSE, 'Too many connections from this address');
    }
  });

  const { authenticate, formatError } = options;
  const disposable = useServer(
    {
      schema: options.schema,
      connectionInitWaitTimeout: limits?.connectionInitTimeoutMs,
      onConnect: authenticate
        ? async (ctx) => {
            const socket = ctx.extra.socket;
            const connection = connections.get(socket);
            if (!connection) return false;
            let principal: Principal | undefined | false;
            try {
              principal = await authenticate({ headers: ctx.extra.request.headers, connectionParams: ctx.connectionParams ?? {}, clientAddress: connection.address });
            } catch (error) {
              options.logger.debug({ err: error }, 'connection_init refused');
              return false;
            }
            if (principal === false) return false;
            if (!principal) return true;
            connection.principal = principal;
            if (count(byPrincipal, principalKey(principal), 1) > (limits?.perPrincipal || Infinity)) {
              socket.close(TOO_MANY_CONNECTIONS_FOR_PRINCIPAL_CLOSE, 'Too many connections for this principal');
              return false;
            }
            if (principal.expiresAt !== undefined) connection.expiry = closeAtExpiry(socket, principal.expiresAt);
            return true;
          }
        : undefined,
      onSubscribe: async (ctx, id, payload) => {
        if (limits?.subscriptionsPerConnection && Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          ctx.extra.socket.close(TOO_MANY_SUBSCRIPTIONS_CLOSE, 'Too many operations on this connection');
          return [new GraphQLError('Too many operations on this connection')];
        }
        let document: DocumentNode;
        try {
          document = (options.parse ?? parse)(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(options.schema, document, specifiedRules);
        if (errors.length > 0) return validationFailed(errors);
        const socket = ctx.extra.socket;
        const open = connections.get(socket);
        if (open) open.operations = ctx.subscriptions;
        const contextValue = options.context({
          requestId: requestIdFrom(ctx.extra.request.headers),
          headers: ctx.extra.request.headers,
          connectionParams: ctx.connectionParams ?? {},
          principal: connections.get(socket)?.principal,
          clientIp: ctx.extra.request.socket.remoteAddress ?? 'unknown',
          socket: {
            subscriptionId: id,
            send: (message) => socket.send(message),
            bufferedBytes: () => socket.bufferedAmount,
            disconnect: (code, reason) => socket.close(code, reason),
          },
        });
        const args: ExecutionArgs = { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
        const refused = await options.admit?.(args);
        return refused ? [refused] : args;
      },
      execute: options.execute as never,
      subscribe: options.subscribe as never,
      onNext: formatError && ((_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) } : undefined)),
      onError: (_ctx, id, _payload, errors) => {
        options.logger.debug({ subscriptionId: id, errors: errors.map((error) => error.message) }, 'subscription error');
        return formatError && errors.map((error) => formatError(error.toJSON(), error));
      },
    },
    wss,
  );
  return {
    /** Closes every open socket authenticated as a principal `which` picks; returns how many. */
    closeConnections(which, code, reason) {
      let closed = 0;
      for (const [socket, connection] of connections) {
        if (!connection.principal || !which(connection.principal)) continue;
        socket.close(code, reason);
        closed += 1;
      }
      return closed;
    },
    async close() {
      for (const client of wss.clients) client.close(GOING_AWAY, 'Server shutting down');
      await disposable.dispose();
    },
  };
}
