import { Pool } from 'undici';

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** Operations over keep-alive connections (undici) to the router, with a bearer token, or to the queues subgraph, with the signed internal header. */
export class GraphQLClient {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    readonly url: string,
    private readonly credentials: () => Promise<Record<string, string>>,
    connections: number,
  ) {
    const parsed = new URL(url);
    this.pool = new Pool(parsed.origin, { connections, keepAliveTimeout: 60_000 });
    this.path = parsed.pathname;
  }

  async request<Data>(query: string, variables: Record<string, unknown>): Promise<Data> {
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await this.credentials()) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.body.json()) as { data?: Data; errors?: GraphQLError[] };
    if (response.statusCode !== 200 || body.errors || !body.data) {
      throw new Error(`${this.url} answered ${response.statusCode}: ${JSON.stringify(body.errors ?? body).slice(0, 500)}`);
    }
    return body.data;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
