import { INTERNAL_TOKEN_HEADER, servicePrincipal, type InternalTokenSigner } from '../../infra/auth/internal-token.js';
import { dependencyUnavailable } from '../../infra/errors.js';
import { REQUEST_ID_HEADER } from '../../infra/http/request-id.js';

const ENTITY_QUERY = 'query CustomerIds($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id } } }';

/** The keys of Customer that other subgraphs may refer to it by (its `@key`s in the customers subgraph). */
export type CustomerKey = 'id' | 'externalId';

/**
 * Asks the customers subgraph which customers exist, through its federation `_entities` field:
 * the orders domain never reads the customers tables. It calls as the `orders` service, with an
 * internal header of its own signing for customers, since customers answers only requests signed
 * for it.
 */
export class CustomerDirectory {
  private static readonly caller = servicePrincipal('orders');
  /** The audience of its tokens: the customers subgraph accepts only tokens that name it. */
  private static readonly subgraph = 'customers';

  constructor(
    private readonly customersUrl: string,
    private readonly internalTokens: InternalTokenSigner,
    private readonly timeoutMs = 3_000,
  ) {}

  async exists(customerId: string, requestId: string): Promise<boolean> {
    return (await this.idsBy('id', [customerId], requestId)).has(customerId);
  }

  /**
   * The id of each customer that `key` names, in one request however many they are; a value that
   * names no customer has no entry. DEPENDENCY_UNAVAILABLE when customers does not answer.
   */
  async idsBy(key: CustomerKey, values: readonly string[], requestId: string): Promise<Map<string, string>> {
    const distinct = [...new Set(values)];
    if (distinct.length === 0) return new Map();
    const representations = distinct.map((value) => ({ __typename: 'Customer', [key]: value }));
    let body: { data?: { _entities?: ({ id: string } | null)[] }; errors?: unknown[] };
    try {
      const response = await fetch(this.customersUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [REQUEST_ID_HEADER]: requestId,
          [INTERNAL_TOKEN_HEADER]: await this.internalTokens.token(CustomerDirectory.caller, CustomerDirectory.subgraph),
        },
        body: JSON.stringify({ query: ENTITY_QUERY, variables: { representations } }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) throw new Error(`customers subgraph answered HTTP ${response.status}`);
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw dependencyUnavailable('customers', error);
    }
    const entities = body.data?._entities;
    if (!entities || entities.length !== distinct.length) {
      throw dependencyUnavailable('customers', new Error(`unexpected answer: ${JSON.stringify(body.errors ?? body)}`));
    }
    const ids = new Map<string, string>();
    entities.forEach((entity, index) => {
      if (entity) ids.set(distinct[index]!, entity.id);
    });
    return ids;
  }
}
