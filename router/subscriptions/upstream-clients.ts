import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client, type Sink } from 'graphql-ws';
import WebSocket from 'ws';
import { INTERNAL_TOKEN_HEADER, ROUTER_SERVICE, type InternalTokenSigner } from '../../infra/auth/internal-token.js';
import type { Logger } from '../../infra/logger.js';

export interface UpstreamRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

interface Entry {
  client: Client;
  active: number;
}

/**
 * graphql-ws clients to the subgraphs, one per subgraph and set of forwarded headers, each
 * multiplexing that key's subscriptions over one socket and disposed with its last one.
 * Forwarded headers (authorization, ...) go on the WebSocket upgrade request. A stream may be
 * shared by many subscribers, so with `internalTokens` each socket authenticates in its
 * `connection_init` as the router's service principal, signed afresh for every connection.
 */
export class UpstreamClients {
  private readonly clients = new Map<string, Entry>();
  /** Subscriptions opened upstream since start (tests count them). */
  opened = 0;

  constructor(
    private readonly urls: Record<string, string>,
    private readonly logger: Logger,
    /** The signer of a subgraph's internal header, if that subgraph gets one. */
    private readonly internalTokens: (serviceName: string) => InternalTokenSigner | undefined = () => undefined,
  ) {}

  subscribe(serviceName: string, headers: Record<string, string>, request: UpstreamRequest, sink: Sink<FormattedExecutionResult>): () => void {
    const key = JSON.stringify([serviceName, headers]);
    let entry = this.clients.get(key);
    if (!entry) {
      entry = { client: this.createClient(serviceName, headers), active: 0 };
      this.clients.set(key, entry);
    }
    entry.active += 1;
    this.opened += 1;
    const current = entry;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      current.active -= 1;
      if (current.active === 0 && this.clients.get(key) === current) {
        this.clients.delete(key);
        void current.client.dispose();
      }
    };
    const unsubscribe = current.client.subscribe<FormattedExecutionResult['data']>(request, {
      next: (value) => sink.next(value as FormattedExecutionResult),
      error: (error) => {
        release();
        sink.error(error);
      },
      complete: () => {
        release();
        sink.complete();
      },
    });
    return () => {
      unsubscribe();
      release();
    };
  }

  async close(): Promise<void> {
    const entries = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(entries.map((entry) => entry.client.dispose()));
  }

  private createClient(serviceName: string, headers: Record<string, string>): Client {
    const url = this.urls[serviceName];
    if (!url) throw new Error(`no URL for subgraph ${serviceName}`);
    class HeaderWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    return createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: HeaderWebSocket,
      connectionParams: async () => {
        const signer = this.internalTokens(serviceName);
        // A token for this subgraph alone.
        return signer ? { [INTERNAL_TOKEN_HEADER]: await signer.token(ROUTER_SERVICE, serviceName) } : {};
      },
      lazy: true,
      lazyCloseTimeout: 0,
      retryAttempts: 0,
      keepAlive: 15_000,
      on: {
        closed: (event) => this.logger.debug({ subgraph: serviceName, code: (event as { code?: number }).code }, 'upstream subscription socket closed'),
      },
    });
  }
}
