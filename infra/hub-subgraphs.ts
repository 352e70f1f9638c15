/**
 * The hub's own subgraphs, by the names the supergraph gives them. They share
 * INTERNAL_TOKEN_SECRET with the router, and only they get its signed internal header unless
 * INTERNAL_TOKEN_SUBGRAPHS names others.
 */
export const HUB_SUBGRAPHS = Object.freeze(['customers', 'orders', 'access'] as const);

export type HubSubgraphName = (typeof HUB_SUBGRAPHS)[number];
