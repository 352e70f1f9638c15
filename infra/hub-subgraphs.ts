import { readFileSync } from 'node:fs';
import { fromRoot } from './paths.js';

/**
 * The hub's own subgraphs, by the names the supergraph gives them: those of the composition
 * config, schema/subgraphs.json. They share INTERNAL_TOKEN_SECRET with the router, and only they
 * get its signed internal header unless INTERNAL_TOKEN_SUBGRAPHS names others.
 */
export const HUB_SUBGRAPHS: readonly string[] = Object.freeze(
  (JSON.parse(readFileSync(fromRoot('schema/subgraphs.json'), 'utf8')) as { subgraphs: { name: string }[] }).subgraphs.map((subgraph) => subgraph.name),
);
